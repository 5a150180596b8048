// Accessible names for the admin's script-made controls (loaded with `defer` by
// templates/admin/base_site.html; no inline script, the CSP forbids it).
//
// - select2 (autocomplete_fields) names its combobox only by the chosen value, so an empty one
//   has no name: it is named by the field's <label> (or the select's aria-label in a table row),
//   followed by the value.
// - SelectFilter2 (filter_horizontal) puts aria-label on a <span> that has no role, where ARIA
//   does not allow it: the span is the search box's only label, an icon, so it gets role="img".
//
// Both widgets are built after the page loads (jQuery's ready, window's load) and again when an
// inline row is added, so the fixes run whenever the page's elements change.
"use strict";
(function () {
    function nameComboboxes(root) {
        root.querySelectorAll(".select2-selection[role='combobox']:not([data-named])").forEach(function (box) {
            const container = box.closest(".select2-container");
            const select = container && container.previousElementSibling;
            if (!select || select.tagName !== "SELECT") {
                return;
            }
            const rendered = box.querySelector(".select2-selection__rendered");
            const label = select.id && document.querySelector("label[for='" + select.id + "']");
            if (label) {
                if (!label.id) {
                    label.id = select.id + "_label";
                }
                box.setAttribute("aria-labelledby", rendered ? label.id + " " + rendered.id : label.id);
                if (rendered) {
                    rendered.setAttribute("aria-labelledby", label.id);
                }
            } else if (select.getAttribute("aria-label")) {
                box.removeAttribute("aria-labelledby");
                box.setAttribute("aria-label", select.getAttribute("aria-label"));
                if (rendered) {
                    rendered.setAttribute("aria-label", select.getAttribute("aria-label"));
                }
            }
            box.setAttribute("data-named", "");
        });
    }

    function iconsAreImages(root) {
        root.querySelectorAll(".search-label-icon[aria-label]:not([role])").forEach(function (icon) {
            icon.setAttribute("role", "img");
        });
    }

    function fix() {
        nameComboboxes(document);
        iconsAreImages(document);
    }

    document.addEventListener("DOMContentLoaded", function () {
        fix();
        new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
    });
})();
