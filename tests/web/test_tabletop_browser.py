"""A real browser plays three turns: headless Chromium (Debian's chromium + chromium-driver)
driven by Selenium against `dualtrack serve` on a free port.

The facilitator creates the game through the forms, the cells BLR and UKR join by their links
(in their own tabs; each cookie is scoped to its holder's pages), look at their pictures and
forecasts and submit moves; the facilitator adds an inject, adjudicates, accepts twice and
overrides once with a reason; the review shows the three turns and exports.

With DUALTRACK_SCREENSHOTS=DIR the views are saved there as small PNGs (docs/img holds them).
Skipped where no chromedriver is installed, unless CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tabletop import Server

DRIVER = "/usr/bin/chromedriver"
BROWSER = "/usr/bin/chromium"


@pytest.fixture
def browser() -> Iterator[Any]:
    if not (Path(DRIVER).is_file() and Path(BROWSER).is_file()):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{DRIVER} or {BROWSER} missing; CI installs chromium-driver")
        pytest.skip("Chromium's driver is not installed (apt-get install chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="dualtrack-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--proxy-server=127.0.0.1:9",  # loopback bypasses it: only the test's server answers
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(120)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def shoot(driver: Any, name: str, height: int) -> None:
    """Save the page as docs' screenshot when DUALTRACK_SCREENSHOTS says where."""
    folder = os.environ.get("DUALTRACK_SCREENSHOTS")
    if not folder:
        return
    from PIL import Image

    driver.set_window_size(1280, height)
    path = Path(folder) / f"tabletop-{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    image = Image.open(path).convert("RGB")
    image = image.resize((960, round(image.height * 960 / image.width)), Image.LANCZOS)
    image.quantize(colors=96).save(path, optimize=True)
    driver.set_window_size(1280, 1000)


def test_a_facilitator_and_two_cells_play_three_turns(
    browser: Any, tmp_path: Path, server_factory: Callable[..., Server]
) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    server = server_factory(f"sqlite:///{tmp_path / 'tabletop.sqlite'}")
    driver = browser
    find = driver.find_element

    def turn_shown() -> str:
        return str(find(By.ID, "turn").text)

    def gone(old: Any) -> Any:
        """The old page's root no longer answers. Chromium may report a node detached mid-
        navigation as a plain WebDriverException rather than a stale element."""

        def check(_driver: Any) -> bool:
            try:
                old.is_enabled()
            except WebDriverException:  # StaleElementReferenceException is one
                return True
            return False

        return check

    def go(element: Any) -> None:
        """Click something that loads a page, and wait until the new page is there."""
        old = find(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(driver, 120).until(gone(old))
        WebDriverWait(driver, 120).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    # the facilitator creates the game
    driver.get(f"{server.url}/")
    find(By.CSS_SELECTOR, "input[name=scenario][value=belarus-ukraine-2024]").click()
    seed = find(By.NAME, "seed")
    seed.clear()
    seed.send_keys("5")
    go(find(By.ID, "next"))
    find(By.ID, "play-BLR").click()
    find(By.ID, "play-UKR").click()
    go(find(By.ID, "create"))
    links = {cell: find(By.ID, f"link-{cell}").text for cell in ("facilitator", "BLR", "UKR")}
    game_id = links["facilitator"].split("/")[4]
    facilitator = driver.current_window_handle
    tabs = {}
    for cell in ("BLR", "UKR"):
        driver.switch_to.new_window("tab")
        driver.get(links[cell])
        assert driver.current_url.endswith(f"/games/{game_id}/cells/{cell}")
        assert "token" not in driver.current_url
        tabs[cell] = driver.current_window_handle
    driver.switch_to.window(facilitator)
    go(find(By.ID, "to-facilitator"))
    assert "White cell" in driver.title or "Facilitator" in driver.title

    moves = [
        {"BLR": {"posture-ground": "0.30", "talks": "propose"}, "UKR": {"talks": "accept"}},
        {"BLR": {"unilateral_step": "0.5"}, "UKR": {"posture-ground": "0.40"}},
        {"BLR": {"inspection": "invite"}, "UKR": {"channel": "open"}},
    ]
    for turn, turn_moves in enumerate(moves, start=1):
        for cell, fields in turn_moves.items():
            driver.switch_to.window(tabs[cell])
            driver.refresh()
            assert turn_shown() == f"turn {turn}"
            page = driver.page_source
            assert "What you perceive" in page
            other = "UKR" if cell == "BLR" else "BLR"
            assert f"cells/{other}" not in page  # nothing of the other cell's pages
            for name, value in fields.items():
                element = find(By.ID, name)
                if element.tag_name == "select":
                    Select(element).select_by_value(value)
                else:
                    element.clear()
                    element.send_keys(value)
            if turn == 1 and cell == "BLR":
                go(find(By.ID, "forecast"))
                assert "What-if forecast" in find(By.ID, "forecast-result").text
                assert find(By.CSS_SELECTOR, "#plot-forecast .main-svg").is_displayed()
                shoot(driver, "cell", 1700)
                assert find(By.ID, "posture-ground").get_attribute("value") == "0.30"
            go(find(By.ID, "submit-move"))
            assert "Submitted" in find(By.ID, "submitted").text
        driver.switch_to.window(facilitator)
        driver.refresh()
        assert turn_shown() == f"turn {turn}"
        assert driver.page_source.count("badge yes") == 2  # both cells have moved
        if turn == 2:
            shock = find(By.ID, "shock")
            date = re.search(r"\((\d{4}-\d\d-\d\d)\)", find(By.CSS_SELECTOR, ".where").text)
            assert date is not None
            shock.send_keys(
                f"kind: incident_rate\nvictim: UKR\nstart: {date.group(1)}\n"
                "sectors: all\nrate: 0.05\nlabel: drones over Polesie"
            )
            go(find(By.CSS_SELECTOR, "#inject-form button"))
            assert "drones over Polesie" in driver.page_source
        go(find(By.ID, "adjudicate"))
        assert "The model proposes" in driver.page_source
        if turn == 1:
            shoot(driver, "facilitator", 1500)
        if turn == 3:
            Select(find(By.ID, "target-0")).select_by_value("escalation:BLR-UKR")
            find(By.ID, "value-0").send_keys("tension")
            find(By.ID, "reason-0").send_keys("the White cell judges the drills as signalling")
            go(find(By.ID, "override"))
        else:
            go(find(By.ID, "accept"))
        assert turn_shown() == f"turn {turn + 1}"

    go(find(By.ID, "to-review"))
    rows = find(By.ID, "timeline").find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 3
    assert "the White cell judges the drills as signalling" in rows[2].text
    assert "drones over Polesie" in rows[1].text
    drawn = find(By.TAG_NAME, "main").find_elements(By.CSS_SELECTOR, ".js-plotly-plot .main-svg")
    assert len(drawn) >= 2  # plotly.js, served by the app, drew the figures (CSP allowing)
    shoot(driver, "review", 1100)
    href = find(By.ID, "export").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    export = httpx.get(href, cookies=cookies, timeout=60)
    assert export.status_code == 200 and 'id="table-timeline"' in export.text
