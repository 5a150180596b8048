import xml.etree.ElementTree as ET

import pytest

from pages.pain_chart import MAX_DATE_LABELS, pain_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(points, **kwargs) -> ET.Element:
    return ET.fromstring(str(pain_chart_svg(points, **kwargs)))


def polyline(svg: ET.Element, css_class: str) -> list[tuple[float, float]]:
    (line,) = [p for p in svg.iter(f"{SVG}polyline") if p.get("class") == css_class]
    return [tuple(float(n) for n in pair.split(",")) for pair in line.get("points").split()]


def y_axis(svg: ET.Element) -> tuple[float, float]:
    """(top, bottom) of the vertical axis line."""
    lines = [line for line in svg.iter(f"{SVG}line") if line.get("x1") == line.get("x2")]
    (axis,) = lines
    return float(axis.get("y1")), float(axis.get("y2"))


def texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text")]


WEEKS = [("2 Mar", 7, 5), ("4 Mar", 6, 4), ("6 Mar", 5, 3), ("9 Mar", 4, 2)]


def test_it_is_an_svg_image_with_a_title_for_screen_readers():
    svg = parse(WEEKS)
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "pain-chart-title pain-chart-desc"
    assert svg.find(f"{SVG}title").text == "Pain before and after each session"
    assert svg.find(f"{SVG}title").get("id") == "pain-chart-title"
    description = svg.find(f"{SVG}desc").text
    assert "over 4 sessions, from 2 Mar to 9 Mar" in description
    assert "Before the first session: 7. After the last session: 2." in description


def test_it_draws_one_point_per_session_on_each_of_two_lines():
    svg = parse(WEEKS)
    assert len(list(svg.iter(f"{SVG}polyline"))) == 2
    before, after = polyline(svg, "pain-before"), polyline(svg, "pain-after")
    assert len(before) == len(after) == 4
    # Time runs left to right, and both lines share the sessions' x positions.
    assert [x for x, _ in before] == sorted(x for x, _ in before)
    assert [x for x, _ in before] == [x for x, _ in after]


def test_zero_sits_on_the_bottom_of_the_axis_and_ten_on_its_top():
    svg = parse([("1 Mar", 0, 10), ("8 Mar", 10, 0)])
    top, bottom = y_axis(svg)
    assert [y for _, y in polyline(svg, "pain-before")] == [bottom, top]
    assert [y for _, y in polyline(svg, "pain-after")] == [top, bottom]


def test_scores_in_between_scale_linearly():
    svg = parse([("1 Mar", 5, 2)])
    top, bottom = y_axis(svg)
    ((_, five),) = polyline(svg, "pain-before")
    ((_, two),) = polyline(svg, "pain-after")
    assert five == pytest.approx((top + bottom) / 2, abs=0.1)
    assert two == pytest.approx(bottom - (bottom - top) * 0.2, abs=0.1)


def test_it_labels_the_axis_and_has_a_legend():
    labels = texts(parse(WEEKS))
    assert ["0", "2", "4", "6", "8", "10"] == [t for t in labels if t.isdigit()]
    assert "Pain (0–10)" in labels
    assert "Pain before the session" in labels
    assert "Pain after the session" in labels
    assert {"2 Mar", "4 Mar", "6 Mar", "9 Mar"} <= set(labels)


def test_each_point_says_its_date_and_score_on_hover():
    svg = parse(WEEKS[:1])
    tooltips = [t.text for t in svg.iter(f"{SVG}title")][1:]
    assert tooltips == ["2 Mar: 7 before the session", "2 Mar: 5 after the session"]


def test_it_escapes_the_labels():
    raw = str(pain_chart_svg([("<script>alert(1)</script>", 6, 3), ("9 Mar & later", 4, 2)]))
    assert "<script>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    svg = ET.fromstring(raw)
    assert "<script>alert(1)</script>" in texts(svg)
    assert "9 Mar & later" in texts(svg)
    assert not list(svg.iter(f"{SVG}script"))


def test_it_escapes_the_title():
    svg = parse(WEEKS, title='Maria "M" <Lopez>')
    assert svg.find(f"{SVG}title").text == 'Maria "M" <Lopez>'


def test_a_missing_score_leaves_out_only_that_point_of_its_line():
    svg = parse([("2 Mar", 7, None), ("4 Mar", None, 4), ("6 Mar", 5, 3)])
    assert len(polyline(svg, "pain-before")) == 2
    assert len(polyline(svg, "pain-after")) == 2


def test_a_single_session_sits_in_the_middle():
    svg = parse([("2 Mar", 7, 5)])
    ((x, _),) = polyline(svg, "pain-before")
    assert x == pytest.approx(float(svg.get("width")) / 2, abs=20)
    assert "on 2 Mar" in svg.find(f"{SVG}desc").text


def test_with_many_sessions_it_thins_out_the_dates_but_keeps_the_last():
    points = [(f"{day} Apr", 8 - day // 5, 6 - day // 5) for day in range(1, 31)]
    svg = parse(points)
    assert len(polyline(svg, "pain-before")) == 30
    dates = [t for t in texts(svg) if t.endswith("Apr")]
    assert len(dates) <= MAX_DATE_LABELS + 1
    assert dates[0] == "1 Apr"
    assert dates[-1] == "30 Apr"


def test_without_points_it_says_so_and_stays_valid():
    svg = parse([])
    assert "No pain scores recorded yet." in texts(svg)
    assert polyline(svg, "pain-before") == []
    assert svg.find(f"{SVG}desc").text == "No pain score has been recorded yet."


def test_two_charts_on_one_page_can_have_their_own_ids():
    svg = parse(WEEKS, id_prefix="course-7")
    assert svg.get("aria-labelledby") == "course-7-title course-7-desc"
