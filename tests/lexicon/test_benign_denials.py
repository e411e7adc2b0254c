"""Benign denials, imitation materials, accessory-only and news wording (lexicon 2026.12.2)
excuse innocent listings, while real offers that deny a fake ("not resin", "if not real ivory,
money back") are still flagged by the shipped rules."""

from __future__ import annotations

from functools import lru_cache

import pytest

from keepwild.detect.scanner import Scanner


@lru_cache(maxsize=1)
def _rules() -> Scanner:
    return Scanner(policy="coalition", detect_language=False, model=None)


def _scan(lang: str, title: str, description: str):
    return _rules().scan({"id": "t", "title": title, "description": description, "lang": lang})


INNOCENT = [
    ("de", "Elefanten Familie Holz, 3-teilig, Afrika",
     "3 Elefanten aus Teakholz, handgeschnitzt, 10/15/20 cm. Kein Elfenbein, nur Holz. 20 €."),
    ("de", "Vintage Schildpatt-Haarspange (Zelluloid)",
     "Haarspange im Schildpatt-Look, 50er Jahre, Material Zelluloid – kein echtes Schildpatt! 12 €."),
    ("ar", "بيانو مستعمل مفاتيح أكريليك",
     "بيانو عمودي، مفاتيحه أكريليك أبيض مو عاج، صوته ممتاز. ٤٥٠٠ دولار."),
    ("fr", "Éléphant en ébène",
     "Éléphant sculpté, les petites défenses sont en os (pas d'ivoire, facture de l'artisan). 35 000 FCFA."),
    ("es", "Jaula grande para guacamaya (SIN ave)",
     "Jaula de hierro con percha de madera. NO vendo ningún pájaro. $650.000"),
    ("pt", "Elefantes de madeira, artesanato angolano",
     "Elefantes esculpidos em madeira de mussivi, 5.000 Kz. Peças de madeira, nada de marfim."),
    ("nl", "Kawai digitale piano",
     "Toetsen met synthetisch ivoorgevoel, geen echt ivoor natuurlijk. € 1.050."),
    ("en", "Soapstone elephant & rhino carvings (Kisii)",
     "Kisii soapstone carvings, elephants, rhinos, hippos. KSh 500 to 3,000."),
    ("vi", "Dây chuyền mặt nanh hổ đúc bạc",
     "Dây chuyền mặt hình nanh hổ đúc bạc, không phải nanh thật, phong cách bụi. 350k."),
]


@pytest.mark.parametrize(("lang", "title", "description"), INNOCENT)
def test_denials_and_imitations_excuse_innocent_listings(lang, title, description):
    assert not _scan(lang, title, description).flagged


OFFERS = [
    # a negation before an imitation word cancels it: the seller denies the fake
    ("en", "Genuine ivory carving", "Not fake, not resin, real ivory. Serious buyers only, DM me"),
    ("en", "Genuine tortoiseshell compact", "Genuine tortoiseshell lid, not celluloid. £120"),
    # a conditional before a denial is a guarantee, not a denial
    ("en", "Ivory bangle", "Real ivory bangle, old stock. Money back if not real ivory. WhatsApp"),
    ("vi", "Vòng ngà voi", "Vòng ngà voi, nếu không phải ngà thật hoàn tiền gấp đôi. Zalo"),
    ("id", "Gelang gading asli", "Gading gajah asli, kalau bukan gading asli uang kembali. WA"),
    ("th", "กำไลงาช้างแท้", "กำไลงาช้างแท้ ถ้าไม่ใช่งาช้างจริงยินดีคืนเงิน ไลน์"),
    ("de", "Elfenbein Armreif", "Echtes Elfenbein, kein Imitat, kein Kunststoff. 300 €"),
    ("ar", "عاج أصلي للبيع", "عاج أصلي مو تقليد، مو عاج صناعي. السعر 500 واتساب"),
    ("vi", "Vòng ngà voi thật", "Vòng ngà voi thật 100%, không phải ngà giả, bao test. Zalo"),
]


@pytest.mark.parametrize(("lang", "title", "description"), OFFERS)
def test_real_offers_are_still_flagged(lang, title, description):
    result = _scan(lang, title, description)
    assert result.flagged
    assert "ivory" in result.categories or "marine_turtle" in result.categories
