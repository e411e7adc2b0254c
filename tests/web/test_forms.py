"""Forms without a browser: CSRF refusal, the public rate limit keeping what was typed,
undo only within its window, and a spotter's accuracy."""

from __future__ import annotations

from .conftest import Web, csrf_of, sign_in


def test_a_form_without_the_session_token_is_refused_in_the_visitors_language(
        web: Web) -> None:
    with web.browser_client() as client:
        client.get("/lang/nl")
        response = client.post("/report", data={"url": "https://x.example/1",
                                                "csrf": "forged"})
        assert response.status_code == 403
        assert "Het formulier is verlopen" in response.text


def test_the_public_rate_limit_keeps_the_report_and_says_why(web: Web) -> None:
    with web.browser_client() as client:
        for n in range(3):  # the test server allows three an hour
            csrf = csrf_of(client.get("/report").text)
            ok = client.post("/report", data={"csrf": csrf, "url": f"https://x.example/{n}"})
            assert "/report/R-" in str(ok.url)
        csrf = csrf_of(client.get("/report").text)
        refused = client.post("/report", data={"csrf": csrf, "url": "https://x.example/9",
                                               "text": "tiger skin rug"})
        assert refused.status_code == 429
        assert "try again later" in refused.text
        assert "tiger skin rug" in refused.text and "https://x.example/9" in refused.text


def test_undo_works_only_within_its_window_and_spotter_sees_accuracy(web: Web) -> None:
    with web.browser_client() as spotter:
        sign_in(spotter, "spotter")
        csrf = csrf_of(spotter.get("/report").text)
        spotter.post("/report", data={"csrf": csrf, "listing_id": "ad-2",
                                      "category": "rhino_horn"})
        with web.browser_client() as moderator:
            sign_in(moderator, "moderator")
            csrf = csrf_of(moderator.get("/review").text)
            decided = set()
            for _ in range(3):
                page = moderator.post("/review/claim", data={"csrf": csrf})
                if "/review/" not in str(page.url) or str(page.url).endswith("/review"):
                    break
                item = str(page.url).rsplit("/", 1)[1]
                moderator.post(f"/review/{item}/decide", data={"csrf": csrf,
                                                               "action": "remove"})
                decided.add(item)
            assert decided
            web.clock.advance(seconds=121)
            overview = moderator.get("/review").text
            assert ">Undo<" not in overview
        history = spotter.get("/spotter").text
        assert "100%" in history and "Remove" in history
