"""Words for the codes the service stores (actions, categories, kinds...), marked for
translation; templates show ``_(label(...))``. A code without a label is shown as it is, so
new codes from the service still display."""

from __future__ import annotations

from keepwild.web.i18n import N_

__all__ = ["LABELS", "label", "DEFAULT_REASON"]

LABELS: dict[str, dict[str, str]] = {
    "action": {"remove": N_("Remove"), "allow": N_("Allow"), "escalate": N_("Escalate"),
               "skip": N_("Skip"), "open": N_("Not decided yet")},
    "reason": {
        "prohibited_species": N_("Prohibited species"),
        "prohibited_product": N_("Prohibited product"),
        "live_animal": N_("Live protected animal"),
        "coded_offer": N_("Coded offer"),
        "legal_exemption": N_("Legal exemption"),
        "not_wildlife": N_("Not wildlife"),
        "insufficient_evidence": N_("Insufficient evidence"),
        "other": N_("Other reason"),
    },
    "category": {
        "ivory": N_("Ivory"), "rhino_horn": N_("Rhino horn"), "pangolin": N_("Pangolin"),
        "big_cats": N_("Big cats"), "bear": N_("Bear"), "marine_turtle": N_("Marine turtle"),
        "hornbill": N_("Hornbill"), "totoaba": N_("Totoaba"), "primates": N_("Primates"),
        "birds": N_("Birds"), "reptiles": N_("Reptiles"), "other": N_("Other wildlife"),
        "unknown": N_("Not sure"), "none": N_("No category"),
    },
    "kind": {"species": N_("Species"), "product": N_("Product"), "codeword": N_("Code word"),
             "sale": N_("Sale phrase"), "contact": N_("Contact phrase"),
             "benign": N_("Innocent context"), "negation": N_("Negation"),
             "part": N_("Part or product word")},
    "status": {"active": N_("Active"), "candidate": N_("Candidate"), "retired": N_("Retired"),
               "pending": N_("Waiting"), "claimed": N_("Being reviewed"),
               "decided": N_("Decided")},
    "verdict": {"block": N_("Block"), "review": N_("Review"), "allow": N_("Allow")},
    "source": {"scan": N_("Automatic scan"), "report": N_("Report"), "public": N_("Public"),
               "staff": N_("Staff"), "spotter": N_("Cyber Spotter")},
    "rule": {"item+intent": N_("Wildlife item offered for sale"),
             "item-only": N_("Wildlife item named"),
             "species+part": N_("Part or product of a named animal"),
             "benign-context": N_("Innocent context weakens a match"),
             "negated-benign": N_("Negation cancels an innocent context"),
             "candidate-cap": N_("Only candidate terms: review at most"),
             "candidate-review": N_("Candidate term with sale context"),
             "review-floor": N_("Raised to review"),
             "model": N_("Learned model")},
}

#: The policy reason a decision gets when the moderator does not pick one.
DEFAULT_REASON = {"remove": "prohibited_product", "allow": "not_wildlife",
                  "escalate": "prohibited_species"}


def label(group: str, code: str | None) -> str:
    """The msgid naming ``code`` (the code itself if it has none)."""
    if code is None:
        return ""
    return LABELS.get(group, {}).get(code, code)
