"""The HTML team report in a real headless browser (Debian's chromium, which `.ci/run` installs
where it is missing): the page loads without a single console message, its charts are in the
DOM and drawn to scale on screen, and it prints on white A4 portrait pages.

Skipped, with the reason, only when chromium is not installed or cannot start."""

import os
import re
import shutil
import subprocess

import pytest
from PIL import Image, ImageChops, ImageStat
from test_dashboard import report

from scr_cpd.progress.supervision import dashboard

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",  # tests run as root in CI
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--force-color-profile=srgb",
    "--enable-logging=stderr",
    "--v=0",
]
CONSOLE = re.compile(r":CONSOLE[:(]")  # every console message, whatever its level
WINDOW = "--window-size=1000,2000"


def chromium(tmp_path, url, *args):
    """Run chromium once on `url`; its own home and profile live in tmp_path."""
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    profile = f"--user-data-dir={tmp_path / 'profile'}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, profile, *args, url],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


PROBE = "<!doctype html><title>t</title><p>ready</p><script>notAFunction()</script>"
PROBE_ERROR = "Uncaught ReferenceError: notAFunction is not defined"
_probe_messages = []


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """chromium, once it has shown it can start and load a page (one with a script error, so the
    console check below is shown to catch one)."""
    if not CHROMIUM:
        pytest.skip(
            "chromium is not installed (`bash .ci/run` installs it: apt-get install chromium)"
        )
    folder = tmp_path_factory.mktemp("chromium-probe")
    page = folder / "probe.html"
    page.write_text(PROBE)
    try:
        result = chromium(folder, page.as_uri(), "--dump-dom")
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"chromium cannot start: {exc}")
    if "<p>ready</p>" not in result.stdout:
        tail = " | ".join(result.stderr.strip().splitlines()[-3:])
        pytest.skip(f"chromium cannot start (exit {result.returncode}): {tail}")
    _probe_messages[:] = console_messages(result)
    return chromium


def console_messages(result):
    return [line for line in result.stderr.splitlines() if CONSOLE.search(line)]


def test_console_messages_are_caught(browser):
    """The console check can fail: the probe page's script error was caught."""
    assert any(PROBE_ERROR in m for m in _probe_messages), _probe_messages


def test_the_report_loads_with_no_console_message_and_its_charts_in_the_dom(browser, tmp_path):
    page = report(tmp_path)
    result = browser(tmp_path, page.as_uri(), "--dump-dom")
    assert result.returncode == 0
    assert console_messages(result) == []
    dom = result.stdout
    for name, title in (
        ("hours", "CPD hours per officer"),
        ("modules", "Modules by officer"),
        ("activity", "Answers per week"),
    ):
        assert f'<svg class="chart" id="chart-{name}" role="img"' in dom
        assert f'<title id="chart-{name}-title">{title}</title>' in dom
        assert f'<desc id="chart-{name}-desc">' in dom
    assert dom.count('<g class="bar">') == 3 and dom.count('<g class="cell">') == 9


# --- what is drawn ------------------------------------------------------------------------------


def mask(image, colour, tolerance=6):
    """A black-and-white image: white where `image` has `colour` (each channel within tolerance)."""
    flat = Image.new("RGB", image.size, colour)
    r, g, b = ImageChops.difference(image, flat).split()
    spread = ImageChops.lighter(ImageChops.lighter(r, g), b)
    return spread.point(lambda v: 255 if v <= tolerance else 0)


def runs(line):
    """(start, length) of each run of white pixels in one row or column of a mask."""
    found, start = [], None
    for x, value in enumerate([*line, 0]):
        if value and start is None:
            start = x
        elif not value and start is not None:
            found.append((start, x - start))
            start = None
    return found


def row(image, y):
    return image.crop((0, y, image.width, y + 1)).tobytes()


def column(image, x):
    return image.crop((x, 0, x + 1, image.height)).tobytes()


def bands(image):
    """(top, bottom) of each run of rows holding any white pixel."""
    filled = [bool(image.crop((0, y, image.width, y + 1)).getbbox()) for y in range(image.height)]
    return [(start, start + length - 1) for start, length in runs(filled)]


def rgb(hex_colour):
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_the_charts_are_drawn_to_scale_on_screen(browser, tmp_path):
    page = report(tmp_path)
    shot = tmp_path / "screen.png"
    result = browser(tmp_path, page.as_uri(), WINDOW, f"--screenshot={shot}")
    assert result.returncode == 0 and console_messages(result) == []
    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 2000)

    # CPD hours: one bar per officer, drawn at 1:1 (the chart is 680 px wide here).
    bars = mask(image, rgb(dashboard.BAR_FILL))
    plot = dashboard.WIDTH - dashboard.LABEL_WIDTH - 56
    found = [runs(row(bars, (top + bottom) // 2)) for top, bottom in bands(bars)]
    assert [len(r) for r in found] == [1, 1, 1]
    assert len({r[0][0] for r in found}) == 1  # every bar starts on the axis
    for (_, length), hours in zip([r[0] for r in found], (3.0, 1.5, 0.75)):
        assert abs(length - plot * hours / 3) <= 1.5

    # Modules by officer: each status's cells in each grid row that has any (TEAM: Able, Baker,
    # Cole), then its legend swatch.
    cells = {"passed": [2, 1, 1], "completed": [1, 1, 1], "in progress": [1, 1]}
    for status, expected in cells.items():
        fill = mask(image, rgb(dashboard.STATUS_MARKS[status][1]))
        found = [len(runs(row(fill, top + 1))) for top, _ in bands(fill)]
        assert found == expected, status

    # Answers per week: a column for each week with answers, heights in proportion.
    columns = mask(image, rgb(dashboard.COLUMN_FILL))
    base = max(bottom for _, bottom in bands(columns))
    found = runs(row(columns, base))
    assert len(found) == 3
    heights = [runs(column(columns, x + w // 2))[0][1] for x, w in found]
    for height, expected in zip(heights, (150, 37.5, 75)):
        assert abs(height - expected) <= 1.5


def test_the_report_prints_on_white_a4_portrait(browser, tmp_path):
    page = report(tmp_path)
    pdf = tmp_path / "team.pdf"
    result = browser(tmp_path, page.as_uri(), "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert result.returncode == 0 and console_messages(result) == []
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert len(boxes) >= 2  # the officers table starts a page of its own
    for width, height in boxes:
        assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1  # A4 portrait
    if not shutil.which("pdftoppm"):
        return  # poppler-utils (installed by .ci/run) draws the first page for the checks below
    subprocess.run(
        ["pdftoppm", "-r", "96", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    first = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    grey = first.convert("L")
    assert grey.getpixel((5, 5)) == 255 and ImageStat.Stat(grey).mean[0] > 200
    bars = mask(first, rgb(dashboard.BAR_FILL), tolerance=24)
    assert len(bands(bars)) == 3  # the charts print in colour on the first page
    left, _, right, _ = bars.getbbox()
    assert right < first.width - 40 and left > 40  # within the margins


# Marks each table header whose words do not each sit on one line (a word broken across lines),
# then writes the verdict where --dump-dom shows it.
WHOLE_WORDS = """<script>
const broken = [];
for (const th of document.querySelectorAll("th")) {
  const text = th.firstChild;
  if (!text || text.nodeType !== Node.TEXT_NODE) continue;
  for (const match of text.data.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    if (range.getClientRects().length !== 1) broken.push(match[0]);
  }
}
document.body.dataset.broken = JSON.stringify(broken);
document.body.dataset.headers = document.querySelectorAll("th").length;
</script>"""


@pytest.mark.parametrize("width", [900, 600])
def test_the_officers_log_keeps_every_header_word_whole(browser, tmp_path, width):
    import json

    from test_export_render import reviewed, sample_doc

    from scr_cpd.progress.log.render import render

    page = tmp_path / "log.html"
    html = render(reviewed(sample_doc()), "html").decode("utf-8")
    # The log forbids scripts; this copy lets the measuring script run.
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    page.write_text(html.replace("</body>", WHOLE_WORDS + "</body>"), encoding="utf-8")
    result = browser(tmp_path, page.as_uri(), f"--window-size={width},2000", "--dump-dom")
    assert result.returncode == 0 and console_messages(result) == []
    found = re.search(r'data-broken="([^"]*)" data-headers="(\d+)"', result.stdout)
    assert found, result.stdout[-500:]
    assert int(found.group(2)) >= 5  # the tables are there
    assert json.loads(found.group(1).replace("&quot;", '"')) == []  # not "Answer|s", "Tim|e"


MEASURE_ROWS = """<script>
const rows = [...document.querySelectorAll("table.officers tbody tr")];
document.body.dataset.rows = JSON.stringify(rows.map(r => Math.round(r.getBoundingClientRect().height)));
document.body.dataset.verdicts = JSON.stringify(
  [...document.querySelectorAll("td.verdict")].map(c => Math.round(c.getBoundingClientRect().width)));
const wide = document.querySelector("table.officers").parentElement;
document.body.dataset.scrolls = String(wide.scrollWidth > wide.clientWidth);
</script>"""


def test_a_narrow_window_scrolls_the_officers_table_instead_of_crushing_its_rows(browser, tmp_path):
    import json

    page = report(tmp_path)
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page.read_text())
    page.write_text(html.replace("</body>", MEASURE_ROWS + "</body>"), encoding="utf-8")
    result = browser(tmp_path, page.as_uri(), "--window-size=800,2000", "--dump-dom")
    assert result.returncode == 0 and console_messages(result) == []
    found = re.search(
        r'data-rows="([^"]*)" data-verdicts="([^"]*)" data-scrolls="(\w+)"', result.stdout
    )
    assert found, result.stdout[-500:]
    rows, verdicts = (json.loads(found.group(n).replace("&quot;", '"')) for n in (1, 2))
    assert len(rows) == 3 and found.group(3) == "true"  # the table scrolls sideways
    assert all(width >= 250 for width in verdicts)  # the verdict column is read, not a strip
    assert max(rows) < 400  # was about 700 px a row: one broken word per line
