"""The HTML pages: join links, cookies scoped to their holder, CSRF, error pages, the export."""

from __future__ import annotations

import html
import re
from typing import Any

from tabletop import Game

from dualtrack.scenario.loading import dump_scenario, load_scenario
from dualtrack.web.security import CSRF_COOKIE


def csrf(client: Any) -> str:
    client.get("/")
    token: str = client.cookies.get(CSRF_COOKIE)
    return token


def create_through_the_forms(client: Any) -> tuple[str, dict[str, str]]:
    token = csrf(client)
    step = client.post(
        "/new", data={"csrf": token, "scenario": "belarus-ukraine-2024", "seed": "2"}
    )
    assert step.status_code == 200 and 'name="play.BLR"' in step.text
    form = {
        "csrf": token,
        "source": "belarus-ukraine-2024",
        "seed": "2",
        "turn_days": "7",
        "play.BLR": "1",
        "name.BLR": "minsk",
        "play.UKR": "1",
        "observers": "1",
    }
    created = client.post("/games", data=form)
    assert created.status_code == 200, created.text
    links = {
        who: link.replace("&amp;", "&")
        for who, link in re.findall(r'id="link-([^"]+)">([^<]+)<', created.text)
    }
    game_id = links["facilitator"].split("/")[4]
    return game_id, links


def test_the_forms_create_a_game_and_its_join_links(client: Any) -> None:
    game_id, links = create_through_the_forms(client)
    assert set(links) == {"facilitator", "minsk", "UKR", "observer-1"}
    page = client.get(f"/games/{game_id}/facilitator")  # the creating browser holds the cookie
    assert page.status_code == 200 and "White cell" in page.text
    assert "Master scenario events list" in page.text


def test_a_join_link_sets_a_cookie_for_its_holders_pages_and_leaves_the_address_bar(
    client: Any,
) -> None:
    game_id, links = create_through_the_forms(client)
    client.cookies.clear()
    joined = client.get(links["minsk"], follow_redirects=False)
    assert joined.status_code == 303
    assert joined.headers["location"] == f"/games/{game_id}/cells/minsk"
    cookie = joined.headers["set-cookie"]
    assert f"Path=/games/{game_id}/cells/minsk" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    page = client.get(joined.headers["location"])
    assert page.status_code == 200 and "Belarus" in page.text
    assert client.get(f"/games/{game_id}/cells/UKR").status_code == 403
    assert client.get(f"/games/{game_id}/facilitator").status_code == 403
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_a_wrong_join_link_is_refused(client: Any, game: Game) -> None:
    answer = client.get(f"/games/{game.id}/join?token=guess")
    assert answer.status_code == 403 and "not valid" in answer.text


def test_a_form_without_the_csrf_token_is_refused_before_anything_happens(
    client: Any, game: Game
) -> None:
    client.get(game.created["cells"][0]["link"])  # BLR's cookie
    token = csrf(client)
    path = f"/games/{game.id}/cells/BLR/moves"
    for data in ({"talks": "propose"}, {"csrf": "forged", "talks": "propose"}):
        answer = client.post(path, data=data)
        assert answer.status_code == 403 and "CSRF" in answer.text
    state = client.get(f"/api/games/{game.id}/cells/BLR", headers=game.cells["BLR"]).json()
    assert state["move"] is None
    assert client.post(path, data={"csrf": token, "talks": "propose"}).status_code == 200
    state = client.get(f"/api/games/{game.id}/cells/BLR", headers=game.cells["BLR"]).json()
    assert state["move"] == {"posture": {}, "talks": "propose"}


def test_a_cell_plays_a_turn_through_its_page(client: Any, game: Game) -> None:
    client.get(game.created["cells"][0]["link"])
    client.get(game.created["facilitator_link"])
    token = csrf(client)
    move = {"csrf": token, "posture.ground": "0.25", "inspection": "invite"}
    forecast = client.post(f"/games/{game.id}/cells/BLR/forecast", data=move)
    assert forecast.status_code == 200 and "What-if forecast" in forecast.text
    assert "your doctrine" in forecast.text
    assert 'name="posture.ground" id="posture-ground" value="0.25"' in forecast.text
    client.post(f"/games/{game.id}/cells/BLR/moves", data=move)
    client.post(f"/games/{game.id}/facilitator/adjudicate", data={"csrf": token})
    page = client.get(f"/games/{game.id}/facilitator")
    assert "The model proposes" in page.text
    decided = client.post(
        f"/games/{game.id}/facilitator/decision",
        data={
            "csrf": token,
            "rows": "1",
            "target.0": "incident:polesie-west",
            "value.0": "2",
            "reason.0": "a reported drone crash",
        },
    )
    assert decided.status_code == 200
    review = client.get(f"/api/games/{game.id}/review", headers=game.facilitator).json()
    (turn,) = review["turns"]
    assert turn["moves"]["BLR"] == {"posture": {"ground": 0.25}, "inspection": "invite"}
    assert turn["overrides"][0]["reason"] == "a reported drone crash"
    assert turn["outcome"]["sectors"]["polesie-west"]["incidents"] == 2


def test_a_bad_form_value_gets_a_located_message_on_an_error_page(client: Any, game: Game) -> None:
    client.get(game.created["cells"][0]["link"])
    token = csrf(client)
    answer = client.post(
        f"/games/{game.id}/cells/BLR/moves", data={"csrf": token, "posture.ground": "lots"}
    )
    assert answer.status_code == 400
    assert "posture.ground: expected a fraction from 0 to 1" in answer.text
    assert "Traceback" not in answer.text and "<!DOCTYPE html>" in answer.text


def test_an_upload_with_errors_is_listed_like_validate_does(client: Any) -> None:
    token = csrf(client)
    answer = client.post(
        "/new",
        data={"csrf": token},
        files={"file": ("mine.yaml", b"id: x\nname: y\nactors: 3\n", "application/x-yaml")},
    )
    assert answer.status_code == 400
    assert "mine.yaml: " in answer.text and "problems in the scenario" in answer.text


def test_the_review_exports_as_one_self_contained_page(client: Any, game: Game) -> None:
    base = f"/api/games/{game.id}"
    client.post(f"{base}/cells/BLR/moves", json={"talks": "propose"}, headers=game.cells["BLR"])
    client.post(f"{base}/adjudication", headers=game.facilitator)
    client.post(f"{base}/decision", json={"note": "fine"}, headers=game.facilitator)
    client.get(game.created["facilitator_link"])
    page = client.get(f"/games/{game.id}/review")
    assert page.status_code == 200 and 'id="timeline"' in page.text
    assert 'id="plot-rungs"' in page.text and '<script src="/static/plotly.min.js">' in page.text
    export = client.get(f"/games/{game.id}/review/export")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    html = export.text
    assert 'id="plot-rungs"' in html and 'id="table-timeline"' in html
    assert "accepted the model&#39;s adjudication. Note: fine" in html
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # plotly.js, inlined
    assert not re.search(r'(src|href)="(https?:)?//', markup)  # nothing fetched from elsewhere
    assert "data:image/png;base64," in html


def test_the_observer_reads_the_review_but_a_player_does_not(client: Any, game: Game) -> None:
    observer = next(c for c in game.created["cells"] if c["name"] == "obs")
    client.get(observer["link"])
    assert client.get(f"/games/{game.id}/cells/obs/review").status_code == 200
    client.get(game.created["cells"][0]["link"])  # BLR's cookie, on BLR's pages only
    assert client.get(f"/games/{game.id}/cells/BLR/review").status_code == 403


def test_an_uploaded_scenario_becomes_a_game(client: Any) -> None:
    token = csrf(client)
    upload = dump_scenario(load_scenario("belarus-ukraine-2015")).encode()
    cells = client.post(
        "/new", data={"csrf": token, "seed": "4"}, files={"file": ("mine.yaml", upload)}
    )
    assert cells.status_code == 200 and 'name="scenario_yaml"' in cells.text
    yaml_field = re.search(r'name="scenario_yaml" value="([^"]*)"', cells.text)
    assert yaml_field is not None
    form = {
        "csrf": token,
        "source": "upload",
        "scenario_yaml": html.unescape(yaml_field.group(1)),
        "seed": "4",
        "play.UKR": "1",
    }
    created = client.post("/games", data=form)
    assert created.status_code == 200 and 'id="link-UKR"' in created.text


def test_every_asset_comes_from_the_app(client: Any, game: Game) -> None:
    client.get(game.created["facilitator_link"])
    for path in ("/", f"/games/{game.id}/facilitator"):
        page = client.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', page)
        for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page):
            assert client.get(asset).status_code == 200
    assert client.get("/docs").status_code == 404  # FastAPI's pages would load a CDN's scripts
    assert client.get("/openapi.json").json()["info"]["title"] == "dualtrack tabletop"


def test_every_form_route_checks_the_csrf_token_first(client: Any, game: Game) -> None:
    from dualtrack.web import pages

    client.get(game.created["facilitator_link"])
    client.get(game.created["cells"][0]["link"])
    csrf(client)
    posts = [
        route.path for route in pages.router.routes if getattr(route, "methods", None) == {"POST"}
    ]
    assert len(posts) >= 8
    for path in posts:
        url = path.format(game_id=game.id, cell="BLR")
        answer = client.post(url, data={"talks": "propose", "scenario": "europe"})
        assert answer.status_code == 403 and "CSRF" in answer.text, path
    assert client.get(f"/api/games/{game.id}", headers=game.facilitator).json()["moves"] == {}


BAD_BODIES = {
    "injects": ({"shock": "kind: [unclosed", "note": "x"}, "shock: expected a shock in the"),
    "decision": ({"rows": "1", "target.0": "escalation:nowhere", "value.0": "x"}, "overrides[0]"),
}
"""A body each facilitator form refuses once it reads it (400), with the message's start."""


def test_an_inject_or_decision_without_the_facilitators_token_is_refused_unread(
    client: Any, game: Game
) -> None:
    token = csrf(client)
    for form, (body, _) in BAD_BODIES.items():
        answer = client.post(f"/games/{game.id}/facilitator/{form}", data={"csrf": token, **body})
        assert answer.status_code == 403, form
        assert "facilitator's token" in html.unescape(answer.text), form
    client.get(game.created["facilitator_link"])
    for form, (body, message) in BAD_BODIES.items():
        answer = client.post(f"/games/{game.id}/facilitator/{form}", data={"csrf": token, **body})
        assert answer.status_code == 400 and message in answer.text, form  # read: located


def test_an_inject_whose_yaml_aliases_explode_is_refused(client: Any, game: Game) -> None:
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(6)
    )
    client.get(game.created["facilitator_link"])
    token = csrf(client)
    answer = client.post(
        f"/games/{game.id}/facilitator/injects", data={"csrf": token, "shock": laughs}
    )
    assert answer.status_code == 400
    assert "without aliases" in html.unescape(answer.text)
    assert "more than 200000 nodes" in html.unescape(answer.text)
    assert client.get(f"/api/games/{game.id}", headers=game.facilitator).json()["injects"] == []


def test_the_pages_serve_the_plotly_js_the_export_inlines(client: Any, game: Game) -> None:
    import plotly.offline

    client.get(game.created["facilitator_link"])
    page = client.get(f"/games/{game.id}/facilitator").text
    assert '<script src="/static/plotly.min.js">' in page and 'id="plot-beliefs"' in page
    served = client.get("/static/plotly.min.js")
    assert served.headers["content-type"].startswith("text/javascript")
    assert served.text == plotly.offline.get_plotlyjs()


def test_the_review_figures_put_each_state_at_its_own_day(
    app: Any, client: Any, game: Game
) -> None:
    from dualtrack.web import figures, views

    base = f"/api/games/{game.id}"
    for _ in range(2):
        client.post(f"{base}/adjudication", headers=game.facilitator)
        client.post(f"{base}/decision", json={}, headers=game.facilitator)
    games = app.state.exercises
    with games.game(game.id) as (db, row):
        review = views.review(games, db, row)
    days = [0.0, 7.0, 14.0]  # the start and each committed turn of 7 days
    assert [t.truth["day"] for t in review.turns] == days[1:]
    for spec in (figures.rungs(review), figures.beliefs(review)):
        panel = spec.panels[0][0]
        assert panel is not None and panel.marks
        for line in panel.marks:
            assert list(line.x) == days  # type: ignore[union-attr]
    rung = figures.rungs(review).panels[0][0]
    assert rung is not None
    dyad = next(iter(review.turns[-1].truth["dyads"]))
    assert rung.marks[0].y[-1] == review.turns[-1].truth["dyads"][dyad]["rung_value"]  # type: ignore[union-attr]
