"""Merger screens as the US agencies and the European Commission state them.

Each screen takes the post-merger HHI (0-10,000), the change ΔHHI and the merged firm's share (fraction 0-1)
and returns the thresholds it tested, which were hit, and the guideline's own consequence (short quotes and
paraphrase), cited by section or paragraph with the document's address.

- US 2023 Merger Guidelines, §2.1 (Guideline 1): post-merger HHI > 1,800 with ΔHHI > 100, or a merged share
  > 30% with ΔHHI > 100, raises the structural presumption.
- US 2010 Horizontal Merger Guidelines, §5.3: unconcentrated (< 1,500), moderately (1,500-2,500) and highly
  concentrated (> 2,500) markets; ΔHHI below 100, above 100, between 100 and 200, above 200.
- EU Horizontal Merger Guidelines (2004/C 31/03), ¶19-21 and ¶17-18, with recital 32 of Regulation
  139/2004: combined share not above 25%; HHI < 1,000; 1,000-2,000 with ΔHHI < 250; > 2,000 with ΔHHI < 150.

Values are compared after rounding to 1e-6 HHI points (1e-9 for shares), so that shares typed in decimal
(0.05, 0.1, ...) hit a threshold exactly when the hand calculation does, despite binary floating point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

from numpy.typing import ArrayLike

from ..errors import InvalidInputError
from .concentration import as_shares, hhi_range, merge, merger_delta_hhi, merging_positions, remainder

GuidelineId = Literal["us2023", "us2010", "eu2004"]
GUIDELINE_IDS: tuple[GuidelineId, ...] = ("us2023", "us2010", "eu2004")

US2023_URL = "https://www.justice.gov/atr/merger-guidelines/applying-merger-guidelines/guideline-1"
US2010_URL = "https://www.justice.gov/atr/horizontal-merger-guidelines-08192010"
EU2004_URL = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:52004XC0205(02)"
EUMR_URL = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32004R0139"

HHI_DECIMALS = 6
SHARE_DECIMALS = 9


@dataclass(frozen=True)
class Citation:
    """Where the rule is written: document, section or paragraph, public address."""

    document: str
    section: str
    url: str


@dataclass(frozen=True)
class Threshold:
    """One test of a screen: ``value`` compared with ``limit`` by ``test`` (e.g. "HHI > 1,800")."""

    test: str
    value: float
    limit: float
    hit: bool


@dataclass(frozen=True)
class ScreenResult:
    """Outcome of one guideline's screen.

    ``outcome`` is a short code (e.g. ``presumption``, ``safe_harbour``); ``consequence`` states what the
    guideline says follows; ``hhi_basis`` says which HHI was screened when part of the market is unattributed
    (``exact``, ``both bounds`` when the lower and upper bound give the same outcome, else ``lower bound`` /
    ``upper bound``, one result each); ``hit_label`` names what :attr:`hit` lists (for the EU, safe harbours
    and the ¶17 indicator met, not presumption thresholds crossed).
    """

    guideline: GuidelineId
    title: str
    outcome: str
    consequence: str
    citation: Citation
    thresholds: tuple[Threshold, ...]
    hhi_basis: str = "exact"
    hit_label: str = "thresholds hit"

    @property
    def hit(self) -> list[str]:
        """The tests that were met."""
        return [t.test for t in self.thresholds if t.hit]

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["hit"] = self.hit
        return out


def _gt(value: float, limit: float, decimals: int = HHI_DECIMALS) -> bool:
    return round(value, decimals) > limit


def _lt(value: float, limit: float, decimals: int = HHI_DECIMALS) -> bool:
    return round(value, decimals) < limit


def _check(post_hhi: float, delta: float, merged_share: float) -> None:
    if not 0 <= round(post_hhi, HHI_DECIMALS) <= 10_000:
        raise InvalidInputError(f"post_hhi = {post_hhi!r} is outside the 0-10,000 HHI scale")
    if not 0 <= round(delta, HHI_DECIMALS) <= 10_000:
        raise InvalidInputError(f"delta = {delta!r}: a merger's ΔHHI lies between 0 and 10,000")
    if not 0 <= merged_share <= 1:
        raise InvalidInputError(f"merged_share = {merged_share!r} is not a fraction between 0 and 1")


def screen_us2023(post_hhi: float, delta: float, merged_share: float) -> ScreenResult:
    """US 2023 Merger Guidelines, Guideline 1 (§2.1).

    Presumption when (post HHI > 1,800 and ΔHHI > 100) or (merged share > 30% and ΔHHI > 100).
    """
    _check(post_hhi, delta, merged_share)
    tests = (
        Threshold("post-merger HHI > 1,800", post_hhi, 1_800, _gt(post_hhi, 1_800)),
        Threshold("ΔHHI > 100", delta, 100, _gt(delta, 100)),
        Threshold("merged share > 30%", merged_share, 0.30, _gt(merged_share, 0.30, SHARE_DECIMALS)),
    )
    concentrated, increase, large = (t.hit for t in tests)
    if increase and (concentrated or large):
        reason = (
            "creates or further consolidates a highly concentrated market"
            if concentrated
            else ("creates a firm with a share above 30%")
        )
        outcome = "presumption"
        consequence = (
            f'The merger {reason} with an HHI increase above 100: under Guideline 1 it is "presumed to '
            'substantially lessen competition or tend to create a monopoly". The presumption can be rebutted '
            "or disproved by evidence that no such harm is likely."
        )
    else:
        outcome = "no_presumption"
        consequence = (
            "Guideline 1's structural presumption does not apply (it needs an HHI increase above 100 together "
            "with a post-merger HHI above 1,800 or a merged share above 30%). The Agencies may still find the "
            "merger unlawful under the other guidelines, e.g. loss of substantial head-to-head competition."
        )
    return ScreenResult(
        guideline="us2023",
        title="US 2023 Merger Guidelines",
        outcome=outcome,
        consequence=consequence,
        citation=Citation("U.S. DOJ & FTC, Merger Guidelines (18 Dec 2023)", "§2.1, Guideline 1", US2023_URL),
        thresholds=tests,
    )


def screen_us2010(post_hhi: float, delta: float, merged_share: float = 0.0) -> ScreenResult:
    """US 2010 Horizontal Merger Guidelines, §5.3 (market share plays no role in these bands).

    Bands: post HHI < 1,500 unconcentrated; 1,500-2,500 moderately; > 2,500 highly concentrated.
    ΔHHI < 100 or unconcentrated → unlikely adverse effects; moderately with ΔHHI > 100, or highly with ΔHHI
    100-200 → significant concerns, often scrutiny; highly with ΔHHI > 200 → presumed to enhance market power.
    """
    _check(post_hhi, delta, merged_share)
    unconcentrated = _lt(post_hhi, 1_500)
    highly = _gt(post_hhi, 2_500)
    small = _lt(delta, 100)
    over_100 = _gt(delta, 100)
    over_200 = _gt(delta, 200)
    tests = (
        Threshold("ΔHHI < 100", delta, 100, small),
        Threshold("post-merger HHI < 1,500 (unconcentrated)", post_hhi, 1_500, unconcentrated),
        Threshold("post-merger HHI > 2,500 (highly concentrated)", post_hhi, 2_500, highly),
        Threshold("ΔHHI > 100", delta, 100, over_100),
        Threshold("ΔHHI > 200", delta, 200, over_200),
    )
    unlikely = (
        'Mergers with an HHI increase below 100, or that leave the market unconcentrated, are "unlikely to have '
        'adverse competitive effects and ordinarily require no further analysis".'
    )
    concerns = (
        'The merger "potentially raise[s] significant competitive concerns" and often warrants scrutiny '
        "(moderately concentrated market with ΔHHI above 100, or highly concentrated with ΔHHI of 100-200)."
    )
    if small or unconcentrated:
        outcome, consequence = "unlikely_adverse_effects", unlikely
    elif highly and over_200:
        outcome = "presumption"
        consequence = (
            'Highly concentrated market with an HHI increase above 200: the merger is "presumed to be likely to '
            'enhance market power"; persuasive evidence showing it is unlikely to do so can rebut the presumption.'
        )
    elif highly or over_100:
        outcome, consequence = "significant_concerns", concerns
    else:
        outcome = "unclassified"
        consequence = (
            "Moderately concentrated market with an HHI increase of exactly 100: §5.3 names increases below 100 "
            "(no further analysis) and above 100 (potential concerns) but not exactly 100."
        )
    return ScreenResult(
        guideline="us2010",
        title="US 2010 Horizontal Merger Guidelines",
        outcome=outcome,
        consequence=consequence,
        citation=Citation("U.S. DOJ & FTC, Horizontal Merger Guidelines (19 Aug 2010)", "§5.3", US2010_URL),
        thresholds=tests,
    )


def screen_eu2004(post_hhi: float, delta: float, merged_share: float) -> ScreenResult:
    """EU Horizontal Merger Guidelines (2004/C 31/03) ¶17-21 and Merger Regulation recital 32.

    Safe harbour: merged share ≤ 25% ("does not exceed 25%"). Unlikely concerns: HHI < 1,000; or
    1,000 ≤ HHI ≤ 2,000 with ΔHHI < 250; or HHI > 2,000 with ΔHHI < 150 (save the special circumstances of ¶20).
    A merged share ≥ 50% may in itself be evidence of dominance (¶17), reported as a threshold.
    """
    _check(post_hhi, delta, merged_share)
    share_ok = not _gt(merged_share, 0.25, SHARE_DECIMALS)
    low = _lt(post_hhi, 1_000)
    middle = not low and not _gt(post_hhi, 2_000)
    tests = (
        Threshold("merged share ≤ 25% (recital 32)", merged_share, 0.25, share_ok),
        Threshold("post-merger HHI < 1,000 (¶19)", post_hhi, 1_000, low),
        Threshold("post-merger HHI 1,000-2,000 with ΔHHI < 250 (¶20)", delta, 250, middle and _lt(delta, 250)),
        Threshold(
            "post-merger HHI > 2,000 with ΔHHI < 150 (¶20)",
            delta,
            150,
            _gt(post_hhi, 2_000) and _lt(delta, 150),
        ),
        Threshold("merged share ≥ 50% (¶17)", merged_share, 0.50, not _lt(merged_share, 0.50, SHARE_DECIMALS)),
    )
    citation = Citation(
        "European Commission, Guidelines on the assessment of horizontal mergers (OJ C 31, 5.2.2004)",
        "¶19-21",
        EU2004_URL,
    )
    if share_ok:
        outcome = "safe_harbour"
        citation = Citation(
            "Council Regulation (EC) No 139/2004 (EC Merger Regulation), applied by ¶18 of the Guidelines",
            "recital 32",
            EUMR_URL,
        )
        consequence = (
            "Combined share not above 25%: such concentrations are presumed compatible with the common market "
            "as they are not liable to impede effective competition (Merger Regulation recital 32, applied by "
            "¶18 of the Guidelines)."
        )
    elif tests[1].hit:
        outcome = "unlikely_concerns"
        consequence = (
            'Post-merger HHI below 1,000: the Commission is "unlikely to identify horizontal competition '
            'concerns" and such markets normally need no extensive analysis (¶19).'
        )
    elif tests[2].hit or tests[3].hit:
        outcome = "unlikely_concerns_unless_special_circumstances"
        consequence = (
            "Within the ¶20 levels the Commission is unlikely to identify horizontal competition concerns, except "
            "in special circumstances: a potential or recent entrant, an important innovator, significant "
            "cross-shareholdings, a maverick, signs of past or ongoing coordination, or a party with a "
            "pre-merger share of 50% or more (¶20(a)-(f))."
        )
    else:
        outcome = "above_initial_indicators"
        consequence = (
            f"Outside the safe harbours: the combined share of {merged_share:.0%} is above 25% (recital 32), and "
            f"the post-merger HHI of {post_hhi:,.0f} with a ΔHHI of {delta:,.0f} is beyond the ¶19-20 levels "
            f"({_eu_level(post_hhi)}). The Guidelines draw no presumption either way here: the levels only "
            "indicate when concerns are unlikely, they do not presume that concerns exist or that they do not, "
            "and the Commission assesses the merger's effects (¶21)."
        )
    if tests[4].hit:
        consequence += " A combined share of 50% or more may in itself be evidence of a dominant position (¶17)."
    return ScreenResult(
        guideline="eu2004",
        title="EU Horizontal Merger Guidelines (2004)",
        outcome=outcome,
        consequence=consequence,
        citation=citation,
        thresholds=tests,
        hit_label="safe harbours and indicators met",
    )


def _eu_level(post_hhi: float) -> str:
    """Which ¶19-20 level a post-merger HHI (0-10,000) outside the safe harbours falls in."""
    if _gt(post_hhi, 2_000):
        return "above 2,000, where ΔHHI must be below 150"
    return "between 1,000 and 2,000, where ΔHHI must be below 250"


SCREENS: dict[GuidelineId, Callable[[float, float, float], ScreenResult]] = {
    "us2023": screen_us2023,
    "us2010": screen_us2010,
    "eu2004": screen_eu2004,
}


@dataclass(frozen=True)
class MergerScreen:
    """A merger of named firms screened under each guideline. HHI on 0-10,000, shares as fractions.

    When ``others_share`` > 0 the HHIs are ranges (remainder split infinitely / held by one firm); ΔHHI and
    the merged share are exact.
    """

    merging: tuple[str, ...]
    merged_share: float
    others_share: float
    pre_hhi_low: float
    pre_hhi_high: float
    post_hhi_low: float
    post_hhi_high: float
    delta_hhi: float
    screens: tuple[ScreenResult, ...]

    def to_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["screens"] = [s.to_dict() for s in self.screens]
        return out


def parse_guidelines(names: Sequence[str]) -> tuple[GuidelineId, ...]:
    """Validate guideline ids (``us2023``, ``us2010``, ``eu2004``)."""
    out: list[GuidelineId] = []
    for name in names:
        match = [g for g in GUIDELINE_IDS if g == name.strip().lower()]
        if not match:
            raise InvalidInputError(f"guideline {name!r} is unknown; choose among {', '.join(GUIDELINE_IDS)}")
        out.append(match[0])
    return tuple(out)


def screen_merger(
    shares: ArrayLike,
    merging: Sequence[int],
    *,
    names: Sequence[str] | None = None,
    others: float | None = None,
    guidelines: Sequence[GuidelineId] = GUIDELINE_IDS,
) -> MergerScreen:
    """Screen the merger of the firms at positions ``merging`` of ``shares`` under each guideline.

    ``others`` is the unattributed remainder (default 1 − Σ shares). Each screen runs on the lower and the
    upper bound of the post-merger HHI; one result is kept when both give the same outcome.
    """
    s = as_shares(shares)
    idx = merging_positions(s.size, merging)
    labels = list(names) if names is not None else [str(i) for i in range(s.size)]
    if len(labels) != s.size:
        raise InvalidInputError(f"names: {len(labels)} names for {s.size} shares")
    r = remainder(s) if others is None else max(float(others), remainder(s))
    pre_low, pre_high = hhi_range(s, r)
    post_low, post_high = hhi_range(merge(s, idx.tolist()), r)
    delta = merger_delta_hhi(s, idx.tolist())
    merged_share = math.fsum(s[idx].tolist())
    results: list[ScreenResult] = []
    for guideline in guidelines:
        screen = SCREENS[guideline]
        low = screen(post_low, delta, merged_share)
        if r == 0:
            results.append(low)
            continue
        high = screen(post_high, delta, merged_share)
        if low.outcome == high.outcome:
            results.append(_with_basis(high, "both bounds"))
        else:
            results += [_with_basis(low, "lower bound"), _with_basis(high, "upper bound")]
    return MergerScreen(
        merging=tuple(labels[i] for i in idx),
        merged_share=merged_share,
        others_share=r,
        pre_hhi_low=pre_low,
        pre_hhi_high=pre_high,
        post_hhi_low=post_low,
        post_hhi_high=post_high,
        delta_hhi=delta,
        screens=tuple(results),
    )


def _with_basis(result: ScreenResult, basis: str) -> ScreenResult:
    return replace(result, hhi_basis=basis)
