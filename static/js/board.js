// The day board (templates/reception/day_board.html): a click on a free cell books that
// therapist at that time. Free cells are bare <td>s; the column is found through the rowspans
// of the cards above, since a cell's index in its row skips the cells those cover.
(function () {
  "use strict";
  function columnOf(cell) {
    var body = cell.closest("tbody");
    var taken = [];  // per row index, the columns a rowspan from above covers
    var rows = body.rows;
    for (var r = 0; r < rows.length; r++) {
      var column = 0;
      var cells = rows[r].cells;
      for (var c = 1; c < cells.length; c++) {  // cell 0 is the time
        while (taken[r] && taken[r][column]) { column++; }
        if (cells[c] === cell) { return column; }
        var span = cells[c].rowSpan || 1;
        for (var k = 1; k < span; k++) {
          taken[r + k] = taken[r + k] || {};
          taken[r + k][column] = true;
        }
        column++;
      }
      if (rows[r] === cell.parentNode) { return -1; }
    }
    return -1;
  }
  document.addEventListener("click", function (event) {
    var cell = event.target.closest("#board-body td");
    if (!cell || cell.className || cell.children.length) { return; }
    var body = cell.closest("tbody");
    var url = body.getAttribute("data-book-url");
    if (!url) { return; }
    var column = columnOf(cell);
    var header = body.closest("table").tHead.rows[0].cells[column + 1];
    var therapist = header && header.getAttribute("data-therapist");
    if (!therapist) { return; }
    var time = cell.parentNode.getAttribute("data-time");
    window.location.href = url + "&therapist=" + encodeURIComponent(therapist) + "&time=" + encodeURIComponent(time);
  });
})();
