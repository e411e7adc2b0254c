"""Detect stage: the compiled matcher, scoring rules, policy profiles and the Scanner."""

from keepwild.detect.listing import Listing
from keepwild.detect.policy import Policy, load_policy
from keepwild.detect.result import Match, Reason, ScanResult
from keepwild.detect.scanner import Scanner

__all__ = ["Scanner", "Listing", "ScanResult", "Match", "Reason", "Policy", "load_policy"]
