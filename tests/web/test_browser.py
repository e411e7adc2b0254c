"""End-to-end: real chromium against the real server. Few and broad, since each one drives a
browser: sign in; decide queue items with the keyboard (and undo); a public report reaching
the moderators; a curator adding and retiring a term; the Arabic interface."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from keepwild.store.tables import AuditEntry, Decision

from .conftest import Web, browser_sign_in


def test_sign_in_lands_on_the_role_start_page_and_sign_out_ends_the_session(
        page: Page, web: Web) -> None:
    page.goto("/signin")
    page.get_by_label("Username").fill("moderator")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page.get_by_label("Username")).to_have_value("moderator")

    browser_sign_in(page, "moderator")
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    cookie = next(c for c in page.context.cookies() if c["name"] == "keepwild_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.get_by_role("button", name="Sign out").click()
    page.goto("/review")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Freview$"))


def test_moderator_claims_and_decides_with_the_keyboard_and_can_undo(
        page: Page, web: Web) -> None:
    browser_sign_in(page, "moderator")
    page.keyboard.press("n")  # claim the next item
    expect(page).to_have_url(re.compile(r"/review/\d+$"))
    first = page.url
    # the matched words are highlighted in the listing's own text
    title = page.locator("section.field").first
    expect(title.locator("mark.hit").first).to_be_visible()
    highlighted = " ".join(title.locator("mark.hit").all_inner_texts()).lower()
    assert "ivory" in highlighted or "rhino" in highlighted
    expect(page.get_by_role("heading", name="The seller's other listings")).to_be_visible()

    page.keyboard.press("r")  # remove; the next item is claimed at once
    expect(page.get_by_role("status").first).to_contain_text("Removed.")
    expect(page).not_to_have_url(first)
    with web.db.session() as session:
        decisions = session.execute(select(Decision)).scalars().all()
    assert [d.action for d in decisions] == ["remove"]
    assert decisions[0].policy_reason == "prohibited_product"

    page.get_by_label("Note (optional)").fill("typing r here must not decide")
    page.keyboard.press("r")
    expect(page.get_by_label("Note (optional)")).to_have_value("typing r here must not decideR"
                                                                .replace("R", "r"))
    page.get_by_label("Note (optional)").fill("")
    page.locator("body").click()

    page.get_by_role("button", name="Undo").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Decision undone")
    expect(page).to_have_url(first)
    with web.db.session() as session:
        assert session.execute(select(Decision)).scalars().all() == []
        actions = list(session.execute(select(AuditEntry.action)).scalars())
    assert "queue.undo" in actions

    page.keyboard.press("a")  # decide it again: allow
    expect(page.get_by_role("status").first).to_contain_text("Allowed.")
    with web.db.session() as session:
        assert [d.action for d in session.execute(select(Decision)).scalars()] == ["allow"]


def test_public_report_gets_a_receipt_and_reaches_the_moderators(
        page: Page, web: Web) -> None:
    page.goto("/report")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("#url-error")).to_have_text(
        "Give the listing's web address or its id on the platform.")
    page.get_by_label("Web address of the listing").fill("https://bazaar.example/p/pangolin-9")
    page.get_by_label("What is offered?").select_option("pangolin")
    page.get_by_label("What did you see? (optional)").fill("Pangolin scales sold by the kilo")
    page.get_by_role("button", name="Send report").click()
    receipt = page.locator("#receipt-id").inner_text()
    assert re.fullmatch(r"R-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", receipt)
    expect(page.get_by_text("Waiting for a moderator")).to_be_visible()

    page.context.clear_cookies()
    browser_sign_in(page, "moderator")
    page.goto("/reports")
    row = page.get_by_role("row").filter(has_text=receipt)
    expect(row).to_contain_text("Pangolin scales sold by the kilo")
    row.get_by_role("link", name="In the queue").click()
    expect(page.get_by_text("Pangolin scales sold by the kilo")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reported address")


def test_curator_adds_and_retires_a_term(page: Page, web: Web) -> None:
    browser_sign_in(page, "curator")
    page.goto("/lexicon/new")
    page.get_by_label("Word or phrase").fill("sisik trenggiling")
    page.get_by_label("Language", exact=True).select_option("id")
    page.get_by_label("Kind", exact=True).select_option("product")
    page.get_by_label("Category", exact=True).select_option("pangolin")
    page.get_by_label("Weight (0.05 to 1)").fill("two")
    page.get_by_label("Source").fill("curator test")
    page.get_by_role("button", name="Save term").click()
    expect(page.get_by_text("The weight is a number from 0.05 to 1.")).to_be_visible()
    expect(page.get_by_label("Word or phrase")).to_have_value("sisik trenggiling")
    page.get_by_label("Weight (0.05 to 1)").fill("0.8")
    page.get_by_label("Status", exact=True).select_option("active")
    page.get_by_role("button", name="Save term").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved “sisik trenggiling”")

    page.goto("/lexicon?q=trenggiling")
    row = page.get_by_role("row").filter(has_text="sisik trenggiling")
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name="Retire sisik trenggiling").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved “sisik trenggiling”")
    page.goto("/lexicon?q=trenggiling&status=retired")
    expect(page.get_by_role("row").filter(has_text="sisik trenggiling")).to_contain_text(
        "Retired")
    page.goto("/lexicon/term?lang=id&term=sisik%20trenggiling")
    expect(page.get_by_role("table", name="Edits, newest first").get_by_role("row")
           ).to_have_count(3)  # header, added, retired


def test_arabic_interface_is_right_to_left_and_translated(page: Page, web: Web) -> None:
    browser_sign_in(page, "moderator")
    page.get_by_role("link", name="العربية").click()
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("قائمة المراجعة")
    direction = page.evaluate("getComputedStyle(document.querySelector('main')).direction")
    assert direction == "rtl"
    # the navigation starts at the right edge
    nav = page.locator("header.top").bounding_box()
    brand = page.locator(".brand").bounding_box()
    assert nav is not None and brand is not None
    assert brand["x"] > nav["x"] + nav["width"] / 2
    page.keyboard.press("n")
    expect(page.get_by_role("button", name=re.compile("إزالة"))).to_be_visible()
