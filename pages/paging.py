"""Pages of lists that grow without end (every patient, the audit log), at a cost that does not grow.

Django's paginator counts every row to number the pages: a scan of all 200,000 patients on each
visit to the unfiltered patient list. `CappedPaginator` counts at most `cap` rows. Up to the cap
the count and the page links are exact, as before. Past it the list says "more than 10,000" and
still pages on: each page reads one row past its end to know whether another follows. The first
page is read first, and a list that fits on it is not counted at all.
"""

from django.core.paginator import EmptyPage, InvalidPage, Page, Paginator
from django.utils.functional import cached_property

# Enough for every patient of most practices, and counted off an index in a few milliseconds.
COUNT_CAP = 10_000


class CappedPage(Page):
    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        """The rows, counted up to one past the cap (in any order: it changes no count)."""
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past the cap the pages are not counted: a page after the count's last may hold rows
            # (up to an offset both databases take: no list here holds two billion rows).
            if self.capped and 0 < int(number) * self.per_page < 2**31:
                return int(number)
            raise

    def page(self, number) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number) -> Page:
        if number in (None, "", "1", 1) and "count" not in self.__dict__:
            return self._first_page()
        if not self.capped:
            return super().get_page(number)
        try:
            return self.page(number)
        except InvalidPage:  # not a number, or past the end of a list longer than the cap
            return self.page(1)

    def _first_page(self) -> Page:
        """The first page, read with one row more. Without that row the page is the whole list and
        its length the count: no count of its own, which most searches need no more."""
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # the cached property, known
        elif self.capped:
            return CappedPage(rows[: self.per_page], 1, self, more=True)
        return self._get_page(rows[: self.per_page], 1, self)


def page_links(page: Page) -> list:
    """The page numbers to link from `page`: Django's elided range around it ("1 2 … 7 8 9 10 11 12
    13 … 40 41" on page 10). Past a cap the last page is not known: the links run to the next page,
    and an ellipsis stands for the rest."""
    paginator = page.paginator
    if not getattr(paginator, "capped", False):
        return list(paginator.get_elided_page_range(page.number))
    known = Paginator(range(page.number + page.has_next()), 1)
    links = list(known.get_elided_page_range(page.number))
    return [*links, Paginator.ELLIPSIS] if page.has_next() else links
