"""Disguise families the matcher sees through, each with its exact original text, and the
ordinary text (prices, phone numbers, years, legitimate double letters, plain Thai and
Vietnamese) that must stay unmatched."""

from __future__ import annotations

import pytest

from keepwild import Scanner
from keepwild.detect.matcher import Matcher, _robust_forms
from keepwild.lexicon.model import Lexicon
from keepwild.lexicon.schema import Term
from keepwild.text.normalise import normalise


def term(text: str, lang: str, kind: str = "species") -> Term:
    return Term(term=text, lang=lang, kind=kind, category="other", weight=0.8, source="test",
                added="2026-11-23")


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(Lexicon("test", terms=(
        term("cockatoo", "en"), term("roodstaart", "nl"), term("robbe", "de"),
        term("parrot", "en"), term("ivory", "en", "product"), term("tiger", "en"),
        term("móng hổ", "vi", "product"), term("ngà voi", "vi", "product"),
        term("rùa sao", "vi"), term("sừng tê giác", "vi", "product"), term("da hổ", "vi", "product"),
        term("rùa biển", "vi"), term("ตัวนิ่ม", "th"), term("ตะกวด", "th"),
        term("งาช้าง", "th", "product"), term("عاج", "ar", "product"), term("وحيد القرن", "ar"),
        term("sale", "en", "sale"), term("象牙", "zh", "product"), term("海马", "zh"),
        term("ivoor", "nl", "product"), term("เขี้ยวเสือ", "th", "product"),
        term("นกขุนทอง", "th"), term("ดีหมีแท้", "th", "product"),
    )))


def found(matcher: Matcher, text: str) -> list[tuple[str, str, str]]:
    """(term, original text, pass) of each hit, the original text cut by the offset map."""
    norm = normalise(text)
    return [(h.term.term.term, norm.original_text(h.start, h.end), h.via)
            for h in matcher.find(norm.text, norm.robust) if h.term.is_item]


@pytest.mark.parametrize(("text", "expected_term", "expected_text"), [
    # look-alike letters from Greek, Coptic, Cherokee, Cyrillic and letter-like symbols
    ("Vẹt Ϲockatoo mào vàng", "cockatoo", "Ϲockatoo"),
    ("ϲockatoo", "cockatoo", "ϲockatoo"),
    ("Ꮯockatoo", "cockatoo", "Ꮯockatoo"),
    ("ℂockatoo", "cockatoo", "ℂockatoo"),
    ("Ⅽockatoo", "cockatoo", "Ⅽockatoo"),
    ("ⲥосkаtоо", "cockatoo", "ⲥосkаtоо"),  # Coptic c, Cyrillic o, c, a
    ("ΙVORY", "ivory", "ΙVORY"),  # Greek capital iota
    # stretched letters: the single and the double spelling, anywhere in the word
    ("Roodstaaaart roept", "roodstaart", "Roodstaaaart"),
    ("Rooooodstaart", "roodstaart", "Rooooodstaart"),
    ("ivoooory", "ivory", "ivoooory"),
    ("Parrrrot", "parrot", "Parrrrot"),
    ("cockatoooo!", "cockatoo", "cockatoooo"),
    ("tigerrr rug", "tiger", "tigerrr"),  # the run crosses into the next word
    ("r o o o d s t a a r t", "roodstaart", "r o o o d s t a a r t"),
    # spaced letters carrying accents, precomposed or combining
    ("M ó n g h ổ thật", "móng hổ", "M ó n g h ổ"),
    ("M o\u0301 n g h o\u0302\u0309 thật", "móng hổ", "M o\u0301 n g h o\u0302\u0309"),
    ("bán n g à voi", "ngà voi", "n g à voi"),
    ("n g a\u0300 v o i", "ngà voi", "n g a\u0300 v o i"),
    ("ع ا ج للبيع", "عاج", "ع ا ج"),  # Arabic letters spread out: three letters are a word
    ("عـ ا ـج", "عاج", "عـ ا ـج"),  # spaces and tatweel
    ("ع ـ ا ـ ج", "عاج", "ع ـ ا ـ ج"),
    ("و ح ي د ا ل ق ر ن", "وحيد القرن", "و ح ي د ا ل ق ر ن"),
    # leet in Vietnamese words, short ones included
    ("Rùa s@o 1nd0 mini", "rùa sao", "Rùa s@o"),
    ("ru@ biển", "rùa biển", "ru@ biển"),
    ("sừng t3 giác", "sừng tê giác", "sừng t3 giác"),
    ("da h0 thật", "da hổ", "da h0"),
    # a Latin digit or symbol in a Thai word: for a vowel mark, or filler
    ("ตัวน1่ม สด", "ตัวนิ่ม", "ตัวน1่ม"),
    ("ต@กวด", "ตะกวด", "ต@กวด"),
    ("ขายต!กวด ราคา 1,500 บาท", "ตะกวด", "ต!กวด"),
    # one digit or symbol between two Han characters or two Arabic letters: a filler
    ("出售象6牙手镯", "象牙", "象6牙"),
    ("野生海@马 3只", "海马", "海@马"),
    ("عا@ج فيل للبيع", "عاج", "عا@ج"),
    ("عا5ج", "عاج", "عا5ج"),
    # two digits read as letters inside a word
    ("1v00r beeldje", "ivoor", "1v00r"),
    # Latin look-alikes of Thai letters, and Thai letters spread out
    ("ขาย lขี้ยวlสือ แท้", "เขี้ยวเสือ", "lขี้ยวlสือ"),
    ("นกขุนท๐ง พูดเก่ง", "นกขุนทอง", "นกขุนท๐ง"),
    ("ดี ห มี แ ท้ 100%", "ดีหมีแท้", "ดี ห มี แ ท้"),
    ("ขายงา5ช้าง", "งาช้าง", "งา5ช้าง"),
])
def test_disguised_term_is_found_with_its_exact_text(matcher: Matcher, text: str,
                                                     expected_term: str,
                                                     expected_text: str) -> None:
    hits = found(matcher, text)
    assert (expected_term, expected_text) in [(t, o) for t, o, _ in hits], hits


# 'zzz' (a stretched letter) makes sure the text gets a robust view and pass.
@pytest.mark.parametrize("text", [
    "Robe rot, Größe 38 zzz",  # 'robe' is not 'robbe': doubles are written as in the term
    "rodstart zzz",  # nor is 'rodstart' 'roodstaart'
    "parot zzz",
    "ตกวด zzz",  # a Thai vowel missing without a disguise character is no match
    "ตัวน่ม zzz",
    "ราคา 1,500 บาท ส่ง 5 โล ตัวละ5บาท",  # Thai prices and weights
    "ราคา1500บาท",
    "call +84 912 345 678, made in 1989, price 1.500.000 VND, R$ 500",
    "Hôm nay trời đẹp, giá 100k, mua 2 tặng 1",  # ordinary Vietnamese
    "สวัสดีครับ วันนี้อากาศดี ส่งฟรี",  # ordinary Thai
    "مع اجل الشحن",  # letters of 'ivory' across two ordinary Arabic words
    "Core i5 laptop, 8gb, 3d printer, ok!",
    # ordinary Chinese with numbers, counts and prices (digits between Han are dropped from
    # the robust view only)
    "第3代 共2只 2024年出售 ¥4500 象 3 只 zzz",
    "大象2只，牙刷10支，海3天，马6匹",
    # Arabic with an e-mail address, prices and digits
    "راسلني على name@mail.com السعر 50 دينار عا 5 ج zzz",
    "اتصل 0551234567 عاجل",
    # Thai digits used as digits
    "ราคา ๑,๕๐๐ บาท ส่ง ๕ โล ตัวละ๕บาท zzz",
    # doubled digits that are a number, not letters
    "ivo 00r, iv 00 r, model iv00 zzz",
    # Latin words with l next to Thai, Thai digits and repetition marks
    "hotel ขี้ยวสือ, ml ขวด, l ขี้ยวสือ, alขี้ยวสือ zzz",
    "นกขุนท ๐ ง ราคา ๕๐๐ บาท ดี ๆ หมี ๆ แท้ zzz",
])
def test_ordinary_text_stays_unmatched(matcher: Matcher, text: str) -> None:
    assert found(matcher, text) == []


def test_legitimate_double_letters_match_plainly(matcher: Matcher) -> None:
    assert found(matcher, "Roodstaart roept") == [("roodstaart", "Roodstaart", "plain")]
    assert found(matcher, "Robbe 1v0ry") == [("robbe", "Robbe", "plain"),
                                             ("ivory", "1v0ry", "robust")]


def test_robust_forms_write_doubles_once_and_leave_out_one_thai_mark() -> None:
    assert _robust_forms("roodstaart") == ["roodstaart", "roodstart", "rodstaart", "rodstart"]
    assert _robust_forms("ตะกวด") == ["ตะกวด", "ตกวด"]
    # past four doubles: each one alone, or all at once (8 forms, not 2**6)
    assert len(_robust_forms("aabbccddeeff")) == 8


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(model=None)


@pytest.mark.parametrize(("title", "expected_term", "expected_text"), [
    ("Vẹt Ϲockatoo mào vàng", "cockatoo", "Ϲockatoo"),
    ("Roodstaaaart roept", "roodstaart", "Roodstaaaart"),
    ("ตัวน1่ม สด", "ตัวนิ่ม", "ตัวน1่ม"),
    ("ต@กวด", "ตะกวด", "ต@กวด"),
    ("Bán sừng t3 giác", "sừng tê giác", "sừng t3 giác"),
    ("辐射6龟 活体", "辐射龟", "辐射6龟"),
    ("野生海@马", "海马", "海@马"),
    ("1v00r beeldje", "ivoor", "1v00r"),
    ("عا@ج فيل للبيع", "عاج", "عا@ج"),
    ("lขี้ยวlสือ", "เขี้ยวเสือ", "lขี้ยวlสือ"),
    ("ขาย นกขุนท๐ง", "นกขุนทอง", "นกขุนท๐ง"),
    ("ดี ห มี แ ท้", "ดีหมีแท้", "ดี ห มี แ ท้"),
])
def test_shipped_lexicon_sees_through(scanner: Scanner, title: str, expected_term: str,
                                      expected_text: str) -> None:
    result = scanner.scan({"id": "x", "title": title})
    matches = {m.term: m for m in result.matches}
    assert expected_term in matches, list(matches)
    match = matches[expected_term]
    assert (match.text, title[match.start:match.end]) == (expected_text, expected_text)
