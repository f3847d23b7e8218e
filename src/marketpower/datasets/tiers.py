"""The tier of a source, by a stated rule: the domain of its URL (``www.`` dropped) decides, unless the source
id is one of the few :data:`EXCEPTIONS` set by hand.

* ``primary``: any ``.gov`` domain (US agencies: SEC filings, EIA, FEC, the Federal Reserve) and the domains
  in :data:`PRIMARY_DOMAINS`: a regulator, the company's own site or documentation, its release wire;
* ``secondary``: the established news outlets, research firms and law firms in :data:`SECONDARY_DOMAINS`;
* ``other``: every other domain (aggregators, re-posts of someone else's article or release, blogs, AI-written
  digests). A page that copies a release or an article counts as ``other``: cite the original instead.

Two rules read the ``publisher`` field as well: a verbatim copy of a company release sent over a release wire
(:data:`RELEASE_WIRES`, named in the publisher, e.g. "Business Wire (via StockTitan)") is ``primary``, as the
release itself; an agency story (:data:`AGENCIES`, e.g. "National Post (Reuters)") carried under licence by one
of the outlets in :data:`AGENCY_CARRIERS` is ``secondary``, as the agency's own page. The same story re-posted
by any other site stays ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlparse

PRIMARY_DOMAINS = frozenset(
    {
        "d18rn0p25nwr6d.cloudfront.net",  # the SEC's EDGAR financial-report viewer
        "docs.nvidia.com",
        "docs.cloud.google.com",
        "awsdocs-neuron.readthedocs-hosted.com",  # AWS's own Neuron documentation
        "group.softbank",
        "prnewswire.com",
        "businesswire.com",
        "webdisclosure.com",  # regulated-information filing service (Euronext issuers)
        "globenewswire.com",  # release wire, as prnewswire.com and businesswire.com
        # companies' and institutions' own newsrooms, for what they announce themselves
        "about.fb.com", "openai.com", "poolside.ai", "fz-juelich.de", "aws.amazon.com",
    }
)
SECONDARY_DOMAINS = frozenset(
    {
        # news outlets
        "axios.com", "latimes.com", "nytimes.com", "cnbc.com", "technologyreview.com", "semafor.com", "notus.org",
        "qz.com", "koreaherald.com", "m.koreaherald.com", "koreajoongangdaily.joins.com", "chosun.com",
        "focustaiwan.tw", "taipeitimes.com", "livemint.com", "business-standard.com", "ndtvprofit.com",
        "hindustantimes.com", "businesstoday.in", "indiatoday.in", "newindianexpress.com", "channelnewsasia.com",
        "thestar.com.my", "gulfnews.com", "world.kbs.co.kr", "udn.com", "businesskorea.co.kr", "cm.asiae.co.kr",
        "cityandstateny.com", "manufacturing.net", "nbcmiami.com", "sherwood.news", "ibtimes.com",
        "politico.com", "thewrap.com", "nippon.com", "reuters.com", "apnews.com", "bloomberg.com", "ft.com",
        "wsj.com", "cnn.com", "fortune.com", "gulftoday.ae", "freemalaysiatoday.com", "scmp.com",
        "theregister.com", "theregister.co.uk", "biz.chosun.com", "evertiq.de", "foxnews.com", "cbsnews.com",
        "asia.nikkei.com", "heise.de", "bnnbloomberg.ca", "cityam.com", "businessinsider.com", "en.globes.co.il",
        "thenextweb.com", "telegraphindia.com", "wfae.org", "m.pulsenews.co.kr",
        "datacenters.economictimes.indiatimes.com",
        # trade press
        "datacenterdynamics.com", "tomshardware.com", "techradar.com", "techrepublic.com", "techspot.com",
        "itpro.com", "capacitymedia.com", "lightwaveonline.com", "fierce-network.com", "bisnow.com",
        "broadbandbreakfast.com", "mercomindia.com", "the-decoder.com", "slashgear.com", "phonearena.com",
        "tweaktown.com", "techzine.eu", "evertiq.com", "datacenter.news", "verdict.co.uk", "pymnts.com",
        "rcrwireless.com", "fierceelectronics.com", "power-technology.com", "commercialobserver.com", "costar.com",
        "washingtontechnology.com", "ans.org",
        # research firms and analysts
        "apps.digitimes.com", "trendforce.com", "srgresearch.com", "canalys.com", "epoch.ai",
        "journal.uptimeinstitute.com", "multistate.ai", "ncsl.org",
        # law firms' own analyses
        "akingump.com", "mofo.com", "covingtonblogs.com", "hwglaw.com", "squirepattonboggs.com", "dlxlaw.com",
    }
)
#: Release wires whose name in the publisher marks a verbatim copy of a company's release.
RELEASE_WIRES = re.compile(r"\b(PR Newswire|Business Wire|GlobeNewswire)\b")
#: News agencies and outlets that syndicate their stories.
AGENCIES = re.compile(
    r"\b(Reuters|Associated Press|AP|Bloomberg|Financial Times|Wall Street Journal|WSJ|New York Times|CNBC"
    r"|CNN|Dow Jones|dpa-AFX|Jiji Press)\b"
)
#: Newspapers, broadcasters and portals that carry agency copy under licence (secondary for agency stories only).
AGENCY_CARRIERS = frozenset(
    {
        "nationalpost.com", "dailymail.co.uk", "english.aawsat.com", "zawya.com", "chinadailyhk.com",
        "businesstimes.com.sg", "easterneye.biz", "dunyanews.tv", "news.az", "gvwire.com", "wokv.com", "q957.com",
        "srnnews.com", "yahoo.com", "sg.news.yahoo.com", "finance.yahoo.com", "edition.pagesuite.com",
        "marketscreener.com", "finanznachrichten.de", "globalbankingandfinance.com", "kvia.com",
    }
)
#: Sources whose tier the domain rule gets wrong, by source id, with the reason.
EXCEPTIONS: Mapping[str, str] = {
    # a university research centre's tracker, hosted on github.io (a blog host for every other source)
    "pol3-du-caid-tracker-2026-08": "secondary",
}


def domain_of(url: str) -> str:
    """Host of ``url`` in lower case, without a leading ``www.``."""
    return (urlparse(url).hostname or "").lower().removeprefix("www.")


def tier_of(source_id: str, url: str, publisher: str = "") -> str:
    """``primary``, ``secondary`` or ``other`` for a source (see the module docstring for the rule)."""
    if source_id in EXCEPTIONS:
        return EXCEPTIONS[source_id]
    domain = domain_of(url)
    if domain.endswith(".gov") or domain in PRIMARY_DOMAINS or RELEASE_WIRES.search(publisher):
        return "primary"
    if domain in SECONDARY_DOMAINS or (domain in AGENCY_CARRIERS and AGENCIES.search(publisher)):
        return "secondary"
    return "other"
