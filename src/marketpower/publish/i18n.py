"""Interface text in English and French (templates per language; no machine translation at run time)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import DataPackageError, InvalidInputError, Problem
from .simulate_labels import SIMULATE_MESSAGES

LANGUAGES = ("en", "fr")

MESSAGES: dict[str, dict[str, str]] = {
    "title": {"en": "Market power in the AI stack", "fr": "Le pouvoir de marché dans la pile IA"},
    "error_title": {"en": "Error", "fr": "Erreur"},
    "no_such_page": {"en": "no such page", "fr": "page introuvable"},  # the web app's 404 message, as it words it
    "language": {"en": "Language", "fr": "Langue"},
    "layer_no_market": {
        "en": "No market of this layer is measured yet; these are the entities the data places in it.",
        "fr": "Aucun marché de cette couche n'est encore mesuré ; voici les entités que les données y placent.",
    },
    "overview": {"en": "Overview", "fr": "Vue d'ensemble"},
    "markets": {"en": "Markets", "fr": "Marchés"},
    "sources": {"en": "Sources", "fr": "Sources"},
    "layer": {"en": "Layer", "fr": "Couche"},
    "market": {"en": "Market", "fr": "Marché"},
    "year": {"en": "Year", "fr": "Année"},
    "series": {"en": "Series", "fr": "Série"},
    "leader": {"en": "Leader", "fr": "Leader"},
    "leader_share": {"en": "Leader share", "fr": "Part du leader"},
    "firm": {"en": "Firm", "fr": "Entreprise"},
    "common_ownership_title": {
        "en": "Common ownership by institutional holders (κ)",
        "fr": "Actionnariat commun des investisseurs institutionnels (κ)",
    },
    "common_ownership_note": {
        "en": "κ: the weight the row firm's managers put on the other firm's profit, from the 13F data sets "
        "ingested with `marketpower kappa-series --db`; quarters",
        "fr": "κ : le poids que les dirigeants de l'entreprise en ligne accordent au profit de l'autre entreprise, "
        "d'après les données 13F chargées avec `marketpower kappa-series --db` ; trimestres",
    },
    "common_ownership_other": {"en": "Other firm", "fr": "Autre entreprise"},
    "common_ownership_investors": {"en": "Institutional holders", "fr": "Investisseurs institutionnels"},
    "share": {"en": "Share", "fr": "Part"},
    "source": {"en": "Source", "fr": "Source"},
    "hhi": {"en": "HHI", "fr": "IHH"},
    "cr4": {"en": "CR4", "fr": "CR4"},
    "class_2023": {"en": "US 2023 guidelines", "fr": "Lignes directrices US 2023"},
    "class_2010": {"en": "US 2010 guidelines", "fr": "Lignes directrices US 2010"},
    "others": {"en": "Others", "fr": "Autres"},
    "publisher": {"en": "Publisher", "fr": "Éditeur"},
    "published": {"en": "Published", "fr": "Publié le"},
    "cited_by": {"en": "Cited by", "fr": "Cité par"},
    "tier": {"en": "Tier", "fr": "Niveau"},
    "public_private_deals": {
        "en": "Deals with a public party (government, agency, sovereign or public fund, non-profit, committee), "
        "counted apart",
        "fr": "Accords avec une partie publique (État, agence, fonds souverain ou public, association, comité), "
        "comptés à part",
    },
    "private_deals": {"en": "deals among firms", "fr": "accords entre entreprises"},
    "public_private": {"en": "public party", "fr": "partie publique"},
    "null_fraction": {
        "en": "Share of rewired webs with this loop",
        "fr": "Part des réseaux recâblés ayant cette boucle",
    },
    "tier_primary": {"en": "primary source", "fr": "source primaire"},
    "tier_secondary": {"en": "secondary source", "fr": "source secondaire"},
    "tier_other": {"en": "other source", "fr": "autre source"},
    "latest": {"en": "Latest year per market", "fr": "Dernière année par marché"},
    "all_years": {"en": "All market-years", "fr": "Toutes les années"},
    "chart_alt": {"en": "Table version of the chart", "fr": "Version tableau du graphique"},
    "chart_no_image": {
        "en": "This chart could not be drawn as an image: see its table.",
        "fr": "Ce graphique n'a pas pu être dessiné en image : voir son tableau.",
    },
    "hhi_note": {
        "en": "HHI on the 0–10,000 scale. Where part of a market is not attributed to named firms, the HHI is a "
        "range: low bound with the remainder split among many small firms, high bound with it as one firm.",
        "fr": "IHH sur l'échelle 0–10 000. Quand une partie du marché n'est pas attribuée à des entreprises "
        "nommées, l'IHH est une fourchette : borne basse si ce reste est éclaté entre de nombreuses petites "
        "entreprises, borne haute s'il appartient à une seule.",
    },
    "shares_over_time": {"en": "Shares over time", "fr": "Parts de marché dans le temps"},
    "hhi_trend": {"en": "HHI over time", "fr": "IHH dans le temps"},
    "hhi_by_market": {"en": "Concentration by market (latest year)", "fr": "Concentration par marché (dernière année)"},
    "json_twin": {"en": "This page as JSON", "fr": "Cette page en JSON"},
    "generated": {"en": "Generated from the data package", "fr": "Généré à partir du paquet de données"},
    "entities": {"en": "Entities", "fr": "Entités"},
    "entity": {"en": "Entity", "fr": "Entité"},
    "deals": {"en": "Deals", "fr": "Accords"},
    "deal": {"en": "Deal", "fr": "Accord"},
    "network": {"en": "Deal web", "fr": "Toile des accords"},
    "compute": {"en": "Compute and power", "fr": "Calcul et énergie"},
    "winners": {"en": "Who captures the value", "fr": "Qui capte la valeur"},
    "politics": {"en": "Political money and bills", "fr": "Argent politique et projets de loi"},
    "search": {"en": "Search", "fr": "Rechercher"},
    "search_placeholder": {"en": "firm, market or deal", "fr": "entreprise, marché ou accord"},
    "no_results": {"en": "Nothing matches.", "fr": "Aucun résultat."},
    "results_truncated": {
        "en": "Only the first results are shown; refine the search.",
        "fr": "Seuls les premiers résultats sont affichés ; précisez la recherche.",
    },
    "layers": {"en": "The stack, layer by layer", "fr": "La pile, couche par couche"},
    "trend": {"en": "Trend", "fr": "Tendance"},
    "trend_up": {"en": "HHI up from the previous year", "fr": "IHH en hausse sur un an"},
    "trend_down": {"en": "HHI down from the previous year", "fr": "IHH en baisse sur un an"},
    "trend_flat": {"en": "HHI range moved both ways", "fr": "Fourchette d'IHH sans sens net"},
    "trend_none": {"en": "no earlier year", "fr": "pas d'année antérieure"},
    "key_numbers": {"en": "Key numbers", "fr": "Chiffres clés"},
    "kn_highly_concentrated": {
        "en": "real antitrust markets highly concentrated (US 2023 guidelines, latest year)",
        "fr": "vrais marchés pertinents très concentrés (lignes directrices US 2023, dernière année)",
    },
    "kn_left_out": {
        "en": "left out as not real antitrust markets",
        "fr": "écartés car ce ne sont pas de vrais marchés pertinents",
    },
    "kn_undetermined": {
        "en": "counted but undetermined (coverage break or HHI range too wide)",
        "fr": "comptés mais indéterminés (rupture de couverture ou fourchette d'IHH trop large)",
    },
    "named_share": {"en": "Share named", "fr": "Part nommée"},
    "covers": {"en": "What it covers", "fr": "Ce qu'elle couvre"},
    "coverage_note": {"en": "Coverage", "fr": "Couverture"},
    "flag_aggregate": {"en": "several firms in one row", "fr": "plusieurs entreprises en une ligne"},
    "flag_partial_list": {"en": "a chosen list of firms", "fr": "une liste choisie d'entreprises"},
    "flag_in_house": {"en": "own-use production", "fr": "production pour usage propre"},
    "flag_installed_base": {"en": "holdings by owner", "fr": "parc détenu par propriétaire"},
    "kn_largest_deal": {"en": "largest deal in the data", "fr": "plus gros accord des données"},
    "kn_worked_example": {
        "en": "accelerators fed by 10 GW (central estimates of the models that land in 4–5 million)",
        "fr": "accélérateurs alimentés par 10 GW (estimations centrales des modèles qui tombent entre 4 et 5 millions)",
    },
    "kn_value_gained": {
        "en": "market value gained since ChatGPT's release",
        "fr": "de valeur boursière gagnée depuis la sortie de ChatGPT",
    },
    "winners_since": {  # followed by the release date
        "en": "Market value gained since ChatGPT's release on",
        "fr": "Valeur boursière gagnée depuis la sortie de ChatGPT, le",
    },
    "of": {"en": "of", "fr": "sur"},
    "firms": {"en": "firms", "fr": "entreprises"},
    "markets_n": {"en": "markets", "fr": "marchés"},
    "up_to": {"en": "up to", "fr": "jusqu'à"},
    "at_least": {"en": "at least", "fr": "au moins"},
    "amount": {"en": "Amount", "fr": "Montant"},
    "announced": {"en": "Announced", "fr": "Annoncé le"},
    "kind": {"en": "Kind", "fr": "Type"},
    "status": {"en": "Status", "fr": "Statut"},
    "payer": {"en": "Payer", "fr": "Payeur"},
    "payee": {"en": "Payee", "fr": "Bénéficiaire"},
    "description": {"en": "Description", "fr": "Description"},
    "capacity_gw": {"en": "Capacity (GW)", "fr": "Capacité (GW)"},
    "revisions": {"en": "Revisions", "fr": "Révisions"},
    "superseded": {"en": "superseded by a later revision", "fr": "remplacé par une révision ultérieure"},
    "country": {"en": "Country", "fr": "Pays"},
    "parent": {"en": "Parent", "fr": "Maison mère"},
    "subsidiaries": {"en": "Subsidiaries", "fr": "Filiales"},
    "stakes_out": {"en": "Stakes it holds", "fr": "Participations détenues"},
    "stakes_in": {"en": "Who holds stakes in it", "fr": "Qui détient des parts"},
    "owner": {"en": "Owner", "fr": "Détenteur"},
    "target": {"en": "Held firm", "fr": "Entreprise détenue"},
    "as_of": {"en": "As of", "fr": "Au"},
    "equity": {"en": "Equity", "fr": "Capital"},
    "instrument": {"en": "Instrument", "fr": "Instrument"},
    "valuations": {"en": "Valuations", "fr": "Valorisations"},
    "date": {"en": "Date", "fr": "Date"},
    "value": {"en": "Value", "fr": "Valeur"},
    "loops": {"en": "Money loops", "fr": "Boucles d'argent"},
    "loop_firms": {"en": "Firms in the loop", "fr": "Entreprises de la boucle"},
    "round_trip": {"en": "Round trip (smallest leg)", "fr": "Aller-retour (plus petite étape)"},
    "committees": {"en": "Political committees", "fr": "Comités politiques"},
    "none": {"en": "None in the data.", "fr": "Aucun dans les données."},
    "not_available": {
        "en": "This part of the data is not in this version yet.",
        "fr": "Cette partie des données n'est pas encore dans cette version.",
    },
    "screening": {"en": "Screen a merger", "fr": "Tester une fusion"},
    "screen_help": {
        "en": "Pick two firms: the tool computes ΔHHI, the post-merger HHI and the guidelines' verdict.",
        "fr": "Choisissez deux entreprises : l'outil calcule le ΔIHH, l'IHH après fusion et l'avis des "
        "lignes directrices.",
    },
    "screen_go": {"en": "Screen", "fr": "Tester"},
    "delta_hhi": {"en": "ΔHHI", "fr": "ΔIHH"},
    "pre_hhi": {"en": "HHI before", "fr": "IHH avant"},
    "post_hhi": {"en": "HHI after", "fr": "IHH après"},
    "merged_share": {"en": "Merged share", "fr": "Part fusionnée"},
    "mhhi": {"en": "MHHI with the stakes in the data", "fr": "IHH modifié avec les participations des données"},
    "guideline": {"en": "Guideline", "fr": "Lignes directrices"},
    "outcome": {"en": "Outcome", "fr": "Résultat"},
    "thresholds_hit": {"en": "Thresholds met", "fr": "Seuils atteints"},
    "basis": {"en": "Basis", "fr": "Base"},
    "worked_example": {
        "en": "10 GW ≈ 4–5 million GPUs? The worked example",
        "fr": "10 GW ≈ 4 à 5 millions de GPU ? L'exemple chiffré",
    },
    "accelerator": {"en": "Accelerator", "fr": "Accélérateur"},
    "count_tdp": {"en": "Chip TDP only", "fr": "TDP de la puce seule"},
    "count_low": {"en": "All-in, low", "fr": "Tout compris, bas"},
    "count_central": {"en": "All-in, central", "fr": "Tout compris, central"},
    "count_high": {"en": "All-in, high", "fr": "Tout compris, haut"},
    "verdict": {"en": "Verdict", "fr": "Verdict"},
    "chain": {"en": "The chain of assumptions", "fr": "La chaîne d'hypothèses"},
    "formula": {"en": "Formula", "fr": "Formule"},
    "low": {"en": "Low", "fr": "Bas"},
    "central": {"en": "Central", "fr": "Central"},
    "high": {"en": "High", "fr": "Haut"},
    "unit": {"en": "Unit", "fr": "Unité"},
    "holders": {
        "en": "Who holds the AI compute (H100-equivalents)",
        "fr": "Qui détient la puissance de calcul (équivalents H100)",
    },
    "period": {"en": "Period", "fr": "Période"},
    "facilities": {"en": "Largest AI data centres in the data", "fr": "Plus grands centres de données IA des données"},
    "power_mw": {"en": "Power (MW)", "fr": "Puissance (MW)"},
    "by_layer": {"en": "By layer", "fr": "Par couche"},
    "by_firm": {"en": "By firm", "fr": "Par entreprise"},
    "start": {"en": "Start", "fr": "Début"},
    "end": {"en": "End", "fr": "Fin"},
    "change": {"en": "Change", "fr": "Variation"},
    "share_of_gain": {"en": "Share of the gain", "fr": "Part du gain"},
    "gaps": {"en": "Left out (no value near a date)", "fr": "Écartées (pas de valeur proche d'une date)"},
    "centrality": {"en": "Who sits at the centre", "fr": "Qui est au centre"},
    "edges": {"en": "Edges (table version of the graph)", "fr": "Liens (version tableau du graphe)"},
    "relation": {"en": "Relation", "fr": "Relation"},
    "from": {"en": "From", "fr": "De"},
    "to": {"en": "To", "fr": "Vers"},
    "report": {"en": "Report", "fr": "Rapport"},
    "briefing": {"en": "Briefing", "fr": "Le point"},
    "title_col": {"en": "Title", "fr": "Titre"},
    "stance": {"en": "Stance", "fr": "Position"},
    "briefing_title": {
        "en": "Market power in the AI stack: the briefing",
        "fr": "Le pouvoir de marché dans la pile IA : le point",
    },
    "reading_time": {"en": "Reading time:", "fr": "Temps de lecture :"},
    "every_number_sourced": {"en": "every number links to its source", "fr": "chaque chiffre renvoie à sa source"},
    "key_points": {"en": "Key points", "fr": "L'essentiel"},
    "kind_equity_investment": {"en": "equity investment", "fr": "prise de participation"},
    "kind_cloud_contract": {"en": "cloud contract", "fr": "contrat cloud"},
    "kind_chip_purchase": {"en": "chip purchase", "fr": "achat de puces"},
    "kind_compute_capacity_purchase": {"en": "compute capacity purchase", "fr": "achat de capacité de calcul"},
    "kind_warrant": {"en": "warrant", "fr": "bon de souscription"},
    "kind_acquisition": {"en": "acquisition", "fr": "acquisition"},
    "kind_joint_venture": {"en": "joint venture", "fr": "coentreprise"},
    "kind_licensing": {"en": "licensing", "fr": "licence"},
    "kind_loan": {"en": "loan", "fr": "prêt"},
    "kind_power_purchase": {"en": "power purchase", "fr": "achat d'électricité"},
    "pledge": {"en": "pledge", "fr": "promesse"},
    "unquantified": {"en": "not quantified", "fr": "non chiffré"},
    "lobbying": {"en": "Lobbying", "fr": "Lobbying"},
    "bills": {
        "en": "AI bills in US states (as each tracker counts them)",
        "fr": "Projets de loi sur l'IA dans les États américains (selon chaque observatoire)",
    },
    "committee_money": {
        "en": "Committee money (pledges apart from filed receipts)",
        "fr": "Argent des comités (promesses à part des montants déclarés)",
    },
    "qual_about": {"en": "about", "fr": "environ"},
    "qual_more_than": {"en": "more than", "fr": "plus de"},
    "qual_at_least": {"en": "at least", "fr": "au moins"},
    "qual_less_than": {"en": "less than", "fr": "moins de"},
    "qual_up_to": {"en": "up to", "fr": "jusqu'à"},
    "qual_exact": {"en": "", "fr": ""},
    "kn_state_ai_bills": {
        "en": "AI bills introduced in US state legislatures",
        "fr": "projets de loi sur l'IA déposés dans les États américains",
    },
    "sec_glance": {"en": "The stack at a glance", "fr": "La pile en un coup d'œil"},
    "sec_concentration": {
        "en": "Concentration by layer and over time",
        "fr": "Concentration par couche et dans le temps",
    },
    "sec_ownership": {"en": "Who owns whom", "fr": "Qui possède qui"},
    "sec_seed_deals": {
        "en": "What the seed's deals would change under the guidelines",
        "fr": "Ce que les accords de la newsletter changeraient au regard des lignes directrices",
    },
    "sec_scenarios": {"en": "Regulate or encourage?", "fr": "Réguler ou encourager ?"},
    "scenarios_note": {
        "en": "Each shipped scenario (examples/scenarios/) is compared with the data as it is, as of its date: the "
        "rows are the figures that change in at least one of them (MHHI with the partnership terms, guideline "
        "screens, simulated prices, vertical GUPPI, money loops, compute committed).",
        "fr": "Chaque scénario fourni (examples/scenarios/) est comparé aux données telles quelles, à sa date : les "
        "lignes sont les chiffres qui changent dans au moins l'un d'eux (MHHI selon les termes des partenariats, "
        "seuils des lignes directrices, prix simulés, GUPPI vertical, boucles d'argent, calcul engagé).",
    },
    "scenarios_legend": {
        "en": "Columns are the scenarios numbered above; = means unchanged; * marks a figure resting on a user "
        "assumption stated in the scenario file.",
        "fr": "Les colonnes sont les scénarios numérotés ci-dessus ; = signifie inchangé ; * signale un chiffre qui "
        "repose sur une hypothèse de l'utilisateur indiquée dans le fichier du scénario.",
    },
    "scn_block-nvidia-openai": {
        "en": "blocking Nvidia's investment in OpenAI",
        "fr": "bloquer l'investissement de Nvidia dans OpenAI",
    },
    "scn_unwind-microsoft-openai": {
        "en": "unwinding Microsoft's stake in OpenAI",
        "fr": "défaire la participation de Microsoft dans OpenAI",
    },
    "scn_cap-clouds-in-labs": {
        "en": "capping cloud providers' stakes in model labs, without votes",
        "fr": "plafonner sans droit de vote les participations des clouds dans les laboratoires",
    },
    "scn_measure_mhhi": {"en": "the ΔMHHI (O'Brien–Salop)", "fr": "le ΔMHHI (O'Brien–Salop)"},
    "scn_measure_round_trip": {"en": "the money going round the loops", "fr": "l'argent qui tourne dans les boucles"},
    "scn_measure_loops": {"en": "the number of money loops", "fr": "le nombre de boucles d'argent"},
    "scn_measure_compute_hhi": {"en": "the HHI of committed compute", "fr": "le HHI du calcul engagé"},
    "what": {"en": "figure", "fr": "chiffre"},
    "where": {"en": "where", "fr": "où"},
    "baseline": {"en": "data as it is", "fr": "données telles quelles"},
    "seed_deals_note": {
        "en": "Each deal is screened as if its two parties combined, in every market where both hold a share in the "
        "latest data (the guidelines' HHI screens only apply between competitors). No overlap: the deal is "
        "vertical or outside the measured markets.",
        "fr": "Chaque accord est testé comme si ses deux parties fusionnaient, dans chaque marché où les deux ont une "
        "part dans les dernières données (les seuils d'IHH des lignes directrices ne valent qu'entre "
        "concurrents). Sans chevauchement : l'accord est vertical ou hors des marchés mesurés.",
    },
    "competitor_deals": {
        "en": "Other deals between firms of the same market",
        "fr": "Autres accords entre entreprises d'un même marché",
    },
    "no_overlap": {
        "en": "No market in the data where both parties hold a share: no horizontal screen applies.",
        "fr": "Aucun marché des données où les deux parties ont une part : aucun test horizontal ne s'applique.",
    },
    "indirect": {
        "en": "Interests held through chains of stakes",
        "fr": "Intérêts détenus par des chaînes de participations",
    },
    "direct": {"en": "Direct", "fr": "Direct"},
    "effective": {"en": "Through all chains", "fr": "Par toutes les chaînes"},
    "loops_note": {
        "en": "Money that leaves a firm and comes back to it through other firms' deals, largest first.",
        "fr": "L'argent qui quitte une entreprise et lui revient par les accords d'autres entreprises, "
        "les plus grosses boucles d'abord.",
    },
    "bill_states": {"en": "AI bills by state", "fr": "Projets de loi sur l'IA par État"},
    "bill_states_ingested": {
        "en": "Bills ingested with `marketpower bills ingest` and classified as AI bills (title, abstract, "
        "subjects), by the year their session began:",
        "fr": "Projets de loi chargés avec `marketpower bills ingest` et classés comme projets sur l'IA (titre, "
        "résumé, thèmes), par année de début de session :",
    },
    "bill_states_classified": {
        "en": "AI bills counted by marketpower's classifier on the DU-CAID tracker export (precision on the "
        "hand-labelled sample beside the version; title-only, so counts are lower bounds), next to the money AI "
        "committees spent in that state's races (2026 cycle) and the receipts of committees registered there:",
        "fr": "Projets de loi sur l'IA comptés par le classifieur de marketpower sur l'export de l'observatoire "
        "DU-CAID (précision sur l'échantillon annoté à côté de la version ; titres seuls, donc minorants), à côté "
        "de l'argent dépensé par les comités de l'IA dans les courses de cet État (cycle 2026) et des recettes des "
        "comités qui y sont enregistrés :",
    },
    "classifier_version": {"en": "classifier version", "fr": "version du classifieur"},
    "sample_precision": {"en": "precision on the labelled sample", "fr": "précision sur l'échantillon annoté"},
    "ai_races": {
        "en": "Races where AI committees spent (independent expenditures as reported; pledges never)",
        "fr": "Courses où les comités de l'IA ont dépensé (dépenses indépendantes déclarées ; jamais les promesses)",
    },
    "race": {"en": "Race", "fr": "Course"},
    "candidate": {"en": "Candidate", "fr": "Candidat"},
    "result": {"en": "Result", "fr": "Résultat"},
    "ai_money_for": {"en": "AI committees for (USD)", "fr": "Comités IA pour (USD)"},
    "ai_money_against": {"en": "AI committees against (USD)", "fr": "Comités IA contre (USD)"},
    "state_committee_receipts": {
        "en": "State AI committees' receipts (USD)",
        "fr": "Recettes des comités IA de l'État (USD)",
    },
    "bill_states_bundled": {
        "en": "Per-state counts as published by the tracker",
        "fr": "Décomptes par État tels que publiés par l'observatoire",
    },
    "bill_states_national": {
        "en": "The bundled counts are national totals (all states together), as each tracker published them, so "
        "no per-state grid can be drawn from them; they are listed below, trackers kept apart. For the grid of "
        "states, ingest the bills with `marketpower bills ingest DIR --db FILE` and build from that file.",
        "fr": "Les décomptes fournis sont des totaux nationaux (tous États confondus), tels que chaque "
        "observatoire les a publiés : ils ne permettent pas de grille par État ; ils sont listés ci-dessous, "
        "observatoire par observatoire. Pour la grille des États, chargez les projets de loi avec "
        "`marketpower bills ingest DIR --db FICHIER` et construisez à partir de ce fichier.",
    },
    "state": {"en": "State", "fr": "État"},
    "introduced": {"en": "Introduced", "fr": "Déposés"},
    "enacted": {"en": "Enacted", "fr": "Adoptés"},
    "tracker": {"en": "Tracker", "fr": "Observatoire"},
    "bill_topics": {"en": "Topics of AI bills over time", "fr": "Thèmes des projets de loi sur l'IA dans le temps"},
    "bill_topics_note": {
        "en": "A bill counts once for each topic the classifier matched, so topics add up to more than the bills.",
        "fr": "Un projet compte une fois par thème reconnu par le classement : la somme des thèmes dépasse le "
        "nombre de projets.",
    },
    "bill_topics_missing": {
        "en": "Topics need the bills themselves: ingest them with `marketpower bills ingest DIR --db FILE` "
        "(Open States exports or the tracker's JSON), then build from that file with `--db FILE`.",
        "fr": "Les thèmes demandent les projets de loi eux-mêmes : chargez-les avec `marketpower bills ingest DIR "
        "--db FICHIER` (exports Open States ou JSON de l'observatoire), puis construisez avec `--db FICHIER`.",
    },
    "topic": {"en": "Topic", "fr": "Thème"},
    "bills_n": {"en": "AI bills", "fr": "Projets de loi sur l'IA"},
    "money_timeline": {
        "en": "Money of the AI political committees over time",
        "fr": "L'argent des comités politiques de l'IA dans le temps",
    },
    "money_timeline_note": {
        "en": "Dated by the end of the period covered. Hollow triangles are pledges (promised, not filed); filled "
        "marks are money reported as received, spent or held (in a filing, announced by the committee, or "
        "reported by the press). Pledges and reported money are never added together.",
        "fr": "Daté par la fin de la période couverte. Les triangles vides sont des promesses (annoncées, non "
        "déclarées) ; les marques pleines sont des montants déclarés reçus, dépensés ou détenus (dans une "
        "déclaration, annoncés par le comité ou rapportés par la presse). Promesses et montants déclarés ne "
        "sont jamais additionnés.",
    },
    "committee": {"en": "Committee", "fr": "Comité"},
    "donor": {"en": "Donor", "fr": "Donateur"},
    "record": {"en": "Record", "fr": "Nature"},
    "record_filing": {"en": "filed", "fr": "déclaré"},
    "record_announcement": {"en": "announced by the committee", "fr": "annoncé par le comité"},
    "record_press_report": {"en": "press report", "fr": "article de presse"},
    "with_network": {"en": "with its network", "fr": "avec son réseau"},
    "preemption_missing": {
        "en": "This data package holds no dated events of the federal preemption debate (table policy_events), so "
        "none are drawn beside this timeline.",
        "fr": "Ce paquet de données ne contient aucun événement daté du débat sur la préemption fédérale (table "
        "policy_events) : aucun ne figure à côté de cette chronologie.",
    },
    "preemption_events": {
        "en": "The federal preemption debate over state AI laws",
        "fr": "Le débat sur la préemption fédérale des lois des États sur l'IA",
    },
    "preemption_events_note": {
        "en": "Numbered as the vertical lines of the chart above (solid: federal, dashed: a state). The last three "
        "columns count the money records of the timeline dated on or before the event: committees with a record, "
        "pledges, and reported money, counted apart and never added up.",
        "fr": "Numérotés comme les lignes verticales du graphique ci-dessus (pleines : fédéral, pointillées : un "
        "État). Les trois dernières colonnes comptent les montants de la chronologie datés du jour de l'événement "
        "ou avant : comités ayant un montant, promesses et montants déclarés, comptés à part et jamais additionnés.",
    },
    "event": {"en": "Event", "fr": "Événement"},
    "jurisdiction": {"en": "Jurisdiction", "fr": "Juridiction"},
    "committees_to_date": {"en": "Committees with money by then", "fr": "Comités ayant de l'argent à cette date"},
    "pledges_to_date": {"en": "Pledges by then", "fr": "Promesses à cette date"},
    "reported_to_date": {"en": "Reported money by then", "fr": "Montants déclarés à cette date"},
    "sensitivity": {
        "en": "Which assumption moves the answer most (tornado)",
        "fr": "Quelle hypothèse pèse le plus sur la réponse (tornade)",
    },
    "sensitivity_note": {
        "en": "One assumption at a time set to its low, then its high value, the others at their central value; "
        "bars run from the answer at the low value to the answer at the high value, the dashed line is the "
        "central answer, the largest swing on top. Assumptions that do not enter an answer have no bar.",
        "fr": "Une hypothèse à la fois à sa valeur basse puis haute, les autres à leur valeur centrale ; chaque "
        "barre va de la réponse à la valeur basse à la réponse à la valeur haute, le trait pointillé est la "
        "réponse centrale, le plus grand écart en haut. Une hypothèse qui n'entre pas dans une réponse n'a pas "
        "de barre.",
    },
    "assumption": {"en": "Assumption", "fr": "Hypothèse"},
    "output_at_low": {"en": "Answer at low", "fr": "Réponse (valeur basse)"},
    "output_at_high": {"en": "Answer at high", "fr": "Réponse (valeur haute)"},
    "swing": {"en": "Swing", "fr": "Écart"},
    "private_public": {
        "en": "Private vs public: where the value sits",
        "fr": "Privé contre coté : où se trouve la valeur",
    },
    "private_public_note": {
        "en": "The model makers' latest private valuations (post-money rounds or secondary sales, with their dates) "
        "next to the latest market value of the listed firms of each layer, summed (the date is the oldest of "
        "the values summed).",
        "fr": "Les dernières valorisations privées des créateurs de modèles (tours de table ou cessions "
        "secondaires, datés) à côté de la dernière capitalisation boursière des entreprises cotées de chaque "
        "couche, additionnée (la date est la plus ancienne des valeurs additionnées).",
    },
    "group": {"en": "Group", "fr": "Groupe"},
    "group_private": {"en": "private", "fr": "privé"},
    "group_public": {"en": "listed", "fr": "coté"},
    "all_firms": {"en": "Every firm: the full table", "fr": "Toutes les entreprises : le tableau complet"},
    "network_note": {
        "en": "Firms are sized by the money they pay and receive, coloured by layer and ringed in red when on a "
        "money loop; each edge has an arrow from payer to payee (owner to owned, site host to user); money edges "
        "are coloured by deal kind, ownership edges grey and dashed, data-center sites dotted; edges on a loop are "
        "thick (pick one loop in the selector to isolate it). The slider steps through the days the web changes; "
        "the filters keep one deal kind or the deals with or without a public party. Labels that would overlap "
        "are left out (hover a firm for its name). Click a firm for its page, a deal edge for the deal and its "
        "source, a stake or a site for its source.",
        "fr": "Les entreprises ont la taille de l'argent qu'elles versent et reçoivent, la couleur de leur couche, "
        "et un cercle rouge si elles sont sur une boucle d'argent ; chaque lien a une flèche du payeur vers le "
        "bénéficiaire (du détenteur vers la société détenue, de l'hébergeur vers l'utilisateur d'un site) ; les "
        "liens d'argent sont colorés par type d'accord, les participations en gris pointillé, les centres de "
        "données en pointillé fin ; les liens d'une boucle sont épais (choisissez une boucle pour l'isoler). Le "
        "curseur parcourt les jours où le réseau change ; les filtres gardent un type d'accord, ou les accords "
        "avec ou sans partie publique. Les étiquettes qui se chevaucheraient sont omises (survolez une entreprise "
        "pour son nom). Cliquez une entreprise pour sa page, un accord pour sa page et sa source, une "
        "participation ou un site pour sa source.",
    },
    "rolled_up": {
        "en": "Firms are counted at their controlling parent (AWS as Amazon, Google Cloud as Alphabet), as loops "
        "and centrality are.",
        "fr": "Les entreprises sont comptées à leur maison mère (AWS comme Amazon, Google Cloud comme Alphabet), "
        "comme pour les boucles et la centralité.",
    },
    "not_rolled_up": {
        "en": "Legal entities, each subsidiary apart (as `--no-rollup`).",
        "fr": "Entités juridiques, chaque filiale à part (comme `--no-rollup`).",
    },
    "show_legal": {"en": "Show the legal entities", "fr": "Voir les entités juridiques"},
    "show_parents": {"en": "Count firms at their parents", "fr": "Compter les entreprises à leur maison mère"},
    "as_of_dates": {"en": "Days the web changes", "fr": "Jours où le réseau change"},
    "site": {"en": "site", "fr": "site"},
    "deal_links": {"en": "What the data says about this deal", "fr": "Ce que disent les données de cet accord"},
    "deal_compute": {
        "en": "Compute of this capacity: accelerators and H100-equivalents for {gw} GW",
        "fr": "Calcul de cette capacité : accélérateurs et équivalents H100 pour {gw} GW",
    },
    "deal_screen": {
        "en": "Merger screen of {a} and {b} in {market}",
        "fr": "Filtrage de concentration de {a} et {b} sur {market}",
    },
    "deal_in_web": {"en": "The deal web on the day it was announced", "fr": "Le réseau le jour de l'annonce"},
    "deal_no_loop": {
        "en": "This deal is a leg of no money loop in force today.",
        "fr": "Cet accord n'est une étape d'aucune boucle d'argent en vigueur aujourd'hui.",
    },
    "block_or_allow_deal": {"en": "Block or allow this deal", "fr": "Bloquer ou autoriser cet accord"},
    "block_or_allow_deal_note": {
        "en": ": the deal web, compute and markets with and without it.",
        "fr": " : le réseau des accords, le calcul et les marchés avec et sans lui.",
    },
    "note": {"en": "Note", "fr": "Remarque"},
    "id": {"en": "id", "fr": "identifiant"},
    # the scenario pages (/scenarios, /scenarios/KEY, /scenarios/compare, /scenarios/deal)
    "scenarios": {"en": "Scenarios", "fr": "Scénarios"},
    "scenarios_heading": {"en": "Scenarios: block or allow", "fr": "Scénarios : bloquer ou autoriser"},
    "scenarios_intro": {
        "en": "Each scenario is an overlay on the data as of its date; the baseline is the data as it is. Nothing "
        "is written to the store. The format is in {doc}.",
        "fr": "Chaque scénario se superpose aux données à sa date ; la référence, ce sont les données telles "
        "quelles. Rien n'est écrit dans la base. Le format est décrit dans {doc}.",
    },
    "scenario": {"en": "scenario", "fr": "scénario"},
    "operations": {"en": "operations", "fr": "opérations"},
    "question": {"en": "question", "fr": "question"},
    "compare_two": {"en": "Compare two side by side", "fr": "En comparer deux côte à côte"},
    "compare_go": {"en": "compare", "fr": "comparer"},
    "block_or_allow_one": {"en": "Block or allow one deal", "fr": "Bloquer ou autoriser un accord"},
    "block_or_allow_pick": {
        "en": "Every deal page links here; pick one:",
        "fr": "Chaque page d'accord renvoie ici ; choisissez-en un :",
    },
    "block_vs_allow": {"en": "block vs allow", "fr": "bloquer ou autoriser"},
    "block_deal": {"en": "Block", "fr": "Bloquer"},
    "side_by_side": {"en": "Side by side", "fr": "Côte à côte"},
    "versus": {"en": "vs", "fr": "contre"},
    "baseline_allow": {"en": "baseline (allow)", "fr": "référence (autoriser)"},
    "change_range": {"en": "range of the change", "fr": "fourchette de la variation"},
    "rule": {"en": "rule", "fr": "règle"},
    "range_to": {"en": "to", "fr": "à"},
    "user_assumption": {"en": "user assumption", "fr": "hypothèse de l'utilisateur"},
    "allow_block_note": {
        "en": "Allow = the deal as recorded; block = the deal, its revisions, the deals signed with it and the "
        "stakes it created removed",
        "fr": "Autoriser = l'accord tel qu'enregistré ; bloquer = l'accord, ses révisions, les accords signés avec "
        "lui et les participations qu'il a créées retirés",
    },
    "the_deal": {"en": "the deal", "fr": "l'accord"},
    "what_changes": {"en": "What changes", "fr": "Ce qui change"},
    "into": {"en": "into", "fr": "dans"},
    "markets_touched": {"en": "Markets touched", "fr": "Marchés concernés"},
    "mhhi_allow": {"en": "MHHI allow", "fr": "IHHM autoriser"},
    "mhhi_scenario": {"en": "MHHI scenario", "fr": "IHHM scénario"},
    "us2023_allow": {"en": "US 2023 allow", "fr": "US 2023 autoriser"},
    "us2023_scenario": {"en": "US 2023 scenario", "fr": "US 2023 scénario"},
    "simulation": {"en": "simulation", "fr": "simulation"},
    "vertical_effects": {"en": "Vertical effects", "fr": "Effets verticaux"},
    "loops_allowed": {
        "en": "{allowed} money loops allowed, {scenario} under the scenario; broken:",
        "fr": "{allowed} boucles d'argent si l'on autorise, {scenario} avec le scénario ; rompues :",
    },
    "none_broken": {"en": "none", "fr": "aucune"},
}

MESSAGES |= SIMULATE_MESSAGES  # the /simulate page's labels (publish/simulate_labels.py)

CLASS_LABELS_FR = {
    "highly concentrated": "très concentré",
    "not highly concentrated": "pas très concentré",
    "moderately concentrated": "modérément concentré",
    "unconcentrated": "non concentré",
}


#: French labels of the coded values the pages and charts show (deal kinds and statuses, layers, entity kinds,
#: facility, hardware and money kinds, chart series and bounds). English shows the code with spaces.
VALUE_LABELS_FR = {
    # deal kinds
    "acquisition": "acquisition",
    "chip_purchase": "achat de puces",
    "cloud_contract": "contrat cloud",
    "compute_capacity_purchase": "achat de capacité de calcul",
    "equity_investment": "prise de participation",
    "grant": "subvention",
    "joint_venture": "coentreprise",
    "lease": "location",
    "licensing": "licence",
    "loan": "prêt",
    "power_purchase": "achat d'électricité",
    "revenue_share": "partage de revenus",
    "service_contract": "contrat de service",
    "warrant": "bon de souscription",
    # deal, facility and hardware statuses
    "announced": "annoncé",
    "cancelled": "annulé",
    "closed": "conclu",
    "definitive": "accord définitif",
    "letter_of_intent": "lettre d'intention",
    "operational": "en service",
    "planned": "prévu",
    "under_construction": "en construction",
    "shipping": "livré",
    # layers of the stack
    "accelerators": "accélérateurs",
    "assistants": "assistants",
    "cloud": "cloud",
    "compute-ownership": "propriété du calcul",
    "datacenters": "centres de données",
    "equipment": "équipements",
    "foundation-models": "modèles de fondation",
    "foundry": "fonderie",
    "gpu-cloud": "cloud de GPU",
    "memory": "mémoire",
    "models": "modèles",
    "packaging": "encapsulation",
    "power": "énergie",
    "servers": "serveurs",
    # what a scenario's operation did (scenario.overlay: the "what changes" list)
    "blocked": "bloqué",
    "removed": "retiré",
    "unwound": "dénoué",
    "merged": "fusionné",
    "stake set": "participation fixée",
    "divested": "cédé",
    "capped": "plafonné",
    "added": "ajouté",
    # entity kinds
    "agency": "agence",
    "committee": "comité",
    "company": "entreprise",
    "fund": "fonds",
    "government": "État",
    "nonprofit": "association",
    "person": "personne",
    "public_pension": "caisse de retraite publique",
    "sovereign_fund": "fonds souverain",
    # committees, their money and stances
    "super_pac": "super PAC",
    "state_pac": "PAC d'État",
    "nonprofit_501c4": "association 501(c)(4)",
    "cash_on_hand": "trésorerie",
    "commitment": "engagement",
    "receipts": "recettes",
    "spending": "dépenses",
    "pledge": "promesse",
    "filing": "déclaration",
    "announcement": "annonce",
    "press_report": "article de presse",
    "not_stated": "non déclarée",
    "pro_ai_industry": "pro-industrie de l'IA",
    "pro_ai_safeguards": "pro-garde-fous de l'IA",
    "federal": "fédéral",
    "state": "État",
    # policy events
    "bill": "projet de loi",
    "executive_action": "action de l'exécutif",
    "executive_order": "décret présidentiel",
    "law": "loi",
    "statement": "déclaration",
    "vote": "vote",
    # valuations, the deal web, chart series and bounds
    "market_cap": "capitalisation boursière",
    "post_money": "tour de table",
    "secondary": "cession secondaire",
    "money": "argent",
    "ownership": "participation",
    "main": "principale",
    "low bound": "borne basse",
    "high bound": "borne haute",
    "private": "privé",
    "public": "coté",
    "other": "autre",
    "facility": "site",
    "outside the AI stack": "hors de la pile IA",
    # the money timeline's tooltips: scope and qualifier of a figure, a race's side and result
    "network": "réseau",
    "about": "environ",
    "exact": "exact",
    "more_than": "plus de",
    "for": "pour",
    "against": "contre",
    "won": "gagnée",
    "lost": "perdue",
    "pending": "en attente",
    # the worked example's verdict per accelerator (flows.compute.worked_example)
    "in range": "dans la fourchette",
    "range overlaps": "fourchettes qui se recoupent",
    "too many": "trop",
    "too few": "trop peu",
    "derived": "calculé",
    "input": "donnée d'entrée",
    "reported": "publié",
    # topics of AI bills (politics.bills concepts)
    "artificial intelligence": "intelligence artificielle",
    "AI (abbreviation)": "IA (abréviation)",
    "ai (abbreviation)": "IA (abréviation)",
    "automated decision system": "système de décision automatisée",
    "machine learning": "apprentissage automatique",
    "generative model": "modèle génératif",
    "large language model": "grand modèle de langage",
    "frontier or foundation model": "modèle de pointe ou de fondation",
    "chatbot": "agent conversationnel",
    "deepfake": "hypertrucage",
    "synthetic media": "médias synthétiques",
    "digital replica": "réplique numérique",
    "computer-generated imagery": "images de synthèse",
    "algorithmic system": "système algorithmique",
    "algorithm": "algorithme",
    "neural network": "réseau de neurones",
}

#: The reader's title of each data field a chart's tooltip shows (English; French in :data:`CHART_LABELS_FR`).
TOOLTIP_TITLES = {
    "year": "Year",
    "when": "Year",
    "entity": "Firm",
    "share": "Share",
    "series": "Series",
    "market": "Market",
    "line": "Market",
    "layer": "Layer",
    "bound": "Bound",
    "hhi": "HHI",
    "hhi_low": "HHI, low bound",
    "hhi_high": "HHI, high bound",
    "change_usd": "Value gained (USD)",
    "state": "State",
    "introduced": "Introduced",
    "enacted": "Enacted",
    "topic": "Topic",
    "bills": "AI bills",
    "date": "Date",
    "committee": "Committee",
    "kind": "Kind",
    "scope": "Scope",
    "record": "Record",
    "qualifier": "Qualifier",
    "amount_usd": "Amount (USD)",
    "jurisdiction": "Jurisdiction",
    "title": "Title",
    "race": "Race",
    "candidate": "Candidate",
    "side": "Side",
    "result": "Result",
    "assumption": "Assumption",
    "output_at_low": "Answer at low",
    "output_at_high": "Answer at high",
    "swing": "Swing",
    "label": "Name",
    "group": "Group",
}

#: French of the fixed texts of the charts (titles, axis and legend titles, the loop selector).
CHART_LABELS_FR = {
    "HHI": "IHH",
    "Year": "Année",
    "Share of market": "Part de marché",
    "Firm": "Entreprise",
    "Series": "Série",
    "Bound": "Borne",
    "Market": "Marché",
    "Layer": "Couche",
    "HHI (0–10,000)": "IHH (0–10 000)",
    "HHI, upper bound (0–10,000)": "IHH, borne haute (0–10 000)",
    "USD": "USD",
    "Output": "Réponse",
    "Introduced": "Déposés",
    "AI bills": "Projets de loi sur l'IA",
    "Topic": "Thème",
    "Committee": "Comité",
    "Record": "Nature du montant",
    "Preemption debate": "Débat sur la préemption",
    "Date (end of the period covered; day of the event)": "Date (fin de la période couverte ; jour de l'événement)",
    "Market value gained by layer (USD)": "Valeur boursière gagnée par couche (USD)",
    "Private valuations and listed market value by layer (USD)": (
        "Valorisations privées et valeur boursière cotée par couche (USD)"
    ),
    "AI bills per year by topic": "Projets de loi sur l'IA par an et par thème",
    "Money of the AI political committees and the federal preemption debate": (
        "L'argent des comités politiques de l'IA et le débat sur la préemption fédérale"
    ),
    "Money of the AI political committees, their races and the federal preemption debate": (
        "L'argent des comités politiques de l'IA, leurs courses et le débat sur la préemption fédérale"
    ),
    "Deal kind (edges)": "Type d'accord (liens)",
    "Deal kind (money edges)": "Type d'accord (liens d'argent)",
    "every loop": "toutes les boucles",
    "Money loop ": "Boucle d'argent ",
    # the deal web's controls (time slider, filters) and its date line
    "As of (step through the days the web changes) ": "Au (parcourir les jours où le réseau change) ",
    "As of ": "Au ",
    "Deal kind ": "Type d'accord ",
    "every kind": "tous les types",
    "Public-private ": "Public-privé ",
    "all deals": "tous les accords",
    "with a public party": "avec une partie publique",
    "among firms only": "entre entreprises seulement",
    # tooltip titles (TOOLTIP_TITLES)
    "Share": "Part",
    "HHI, low bound": "IHH, borne basse",
    "HHI, high bound": "IHH, borne haute",
    "Value gained (USD)": "Valeur gagnée (USD)",
    "State": "État",
    "Enacted": "Adoptés",
    "Date": "Date",
    "Kind": "Type",
    "Scope": "Périmètre",
    "Qualifier": "Précision",
    "Amount (USD)": "Montant (USD)",
    "Jurisdiction": "Juridiction",
    "Title": "Titre",
    "Race": "Course",
    "Candidate": "Candidat",
    "Side": "Camp",
    "Result": "Résultat",
    "Election day": "Jour de l'élection",
    "Assumption": "Hypothèse",
    "Answer at low": "Réponse (valeur basse)",
    "Answer at high": "Réponse (valeur haute)",
    "Swing": "Écart",
    "Name": "Nom",
    "Group": "Groupe",
    # the compute chain's steps and assumptions (flows.compute, parameters.csv), also titles of its tornado charts
    "facility power": "puissance du site",
    "Power usage effectiveness (facility power / IT power)": (
        "Efficacité énergétique PUE (puissance du site / puissance informatique)"
    ),
    "IT power": "puissance informatique",
    "all-in power per accelerator": "puissance tout compris par accélérateur",
    "all-in power per accelerator = chip TDP × overhead factor": (
        "puissance tout compris par accélérateur = TDP de la puce × facteur de surcoût"
    ),
    "all-in system power / chip TDP": "puissance système tout compris / TDP de la puce",
    "Model FLOP utilisation (effective / peak FLOP/s)": "Utilisation des FLOP du modèle (FLOP/s effectifs / de crête)",
    "H100-equivalents": "équivalents H100",
    "Average power draw as a fraction of peak (annual energy basis)": (
        "Puissance moyenne appelée en fraction de la crête (base : énergie annuelle)"
    ),
    "annual facility energy": "énergie annuelle du site",
    "US annual electricity consumption": "consommation annuelle d'électricité des États-Unis",
    "share of US electricity consumption": "part de la consommation d'électricité des États-Unis",
    "US data-centre electricity consumption in 2023": (
        "consommation d'électricité des centres de données américains en 2023"
    ),
    "energy / all US data centres in 2023": "énergie / ensemble des centres de données américains en 2023",
    "Capital cost per MW of AI data-centre capacity (buildings and IT)": (
        "Coût d'investissement par MW de capacité de centre de données IA (bâtiments et informatique)"
    ),
    "capital cost of the build-out": "coût d'investissement du déploiement",
    "price per accelerator": "prix par accélérateur",
    "accelerator purchase cost": "coût d'achat des accélérateurs",
    # the figures, places and rules of a scenario's verdict (scenario.analysis)
    "HHI of compute committed to buyers": "IHH du calcul engagé auprès des acheteurs",
    "compute committed (H100e)": "calcul engagé (H100e)",
    "money loops (count)": "boucles d'argent (nombre)",
    "price change, share-weighted (%)": "variation de prix pondérée par les parts (%)",
    "round trip through the loops (USD)": "aller-retour dans les boucles (USD)",
    "vertical GUPPI of the supplier (raising the rival's input price)": (
        "GUPPI vertical du fournisseur (hausse du prix de l'intrant du rival)"
    ),
    "ΔMHHI (O'Brien-Salop)": "ΔMHHI (O'Brien-Salop)",
    "deal web": "réseau des accords",
    "purchase deals": "accords d'achat",
    "H100-equivalents per buyer (0-10,000 scale)": "équivalents H100 par acheteur (échelle 0-10 000)",
    "Moresi & Salop (2013); no safe harbour is set in the guidelines": (
        "Moresi et Salop (2013) ; les lignes directrices ne fixent aucune zone de sécurité"
    ),
    "logit Bertrand simulation, baseline ownership -> scenario ownership": (
        "simulation logit Bertrand, actionnariat de référence -> actionnariat du scénario"
    ),
    "smallest leg of each loop, summed": "plus petite étape de chaque boucle, additionnée",
    "no_presumption": "pas de présomption",
    "needs inputs": "il manque des données",
    "computed": "calculé",
    "not applicable": "sans objet",
}

#: Chart titles built from data: (pattern, French template); groups are translated with :func:`chart_label`.
CHART_PATTERNS_FR = (
    (re.compile(r"AI bills per state, (\d{4}): introduced / enacted"), "Projets de loi sur l'IA par État, {0} : "
     "déposés / adoptés"),
    (re.compile(r"(.+) \((.+)\): output at each assumption's low and high"), "{0} ({1}) : réponse à la valeur basse "
     "et à la valeur haute de chaque hypothèse"),
    # the compute chain (flows.compute): its title and the steps named after the accelerator and its precision
    (re.compile(r"([\d,]+) MW of facility power as (.+)"), "{0} MW de puissance de site en {1}"),
    (re.compile(r"dense (\w+) FLOP/s per accelerator"), "FLOP/s denses {0} par accélérateur"),
    (re.compile(r"dense (\w+) FLOP/s of one H100 \(H100-equivalent basis\)"), "FLOP/s denses {0} d'un H100 (base des "
     "équivalents H100)"),
    (re.compile(r"peak dense (\w+) compute"), "calcul dense {0} de crête"),
    (re.compile(r"effective (\w+) compute"), "calcul {0} effectif"),
    (re.compile(r"(.+) accelerators"), "accélérateurs {0}"),
    (re.compile(r"(\S+) \((\w+); see hardware note\)"), "{0} ({1} ; voir la note du matériel)"),
    # a scenario's verdict: loops broken and created, compute moved
    (re.compile(r"(\d+) broken, (\d+) created"), "{0} rompues, {1} créées"),
)  # fmt: skip

TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def read_translations(name: str, columns: tuple[str, ...], folder: Path = TRANSLATIONS) -> dict[str, dict[str, str]]:
    """The rows of the translation file ``folder/name``, by its first column. The header must be ``columns``; a
    row with more or fewer fields, an empty or repeated key is a :class:`~marketpower.errors.DataPackageError`
    naming file, line and field (every problem of the file, not just the first)."""
    path, shown = folder / name, f"{folder.name}/{name}"
    problems: list[Problem] = []
    rows: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(next(reader, ()))
        if header != columns:
            raise DataPackageError([Problem(shown, 1, None, f"header is {list(header)}, expected {list(columns)}")])
        for values in reader:
            line = reader.line_num
            if not values:  # a blank line, skipped as csv.DictReader skips it
                continue
            if len(values) != len(columns):
                problems.append(Problem(shown, line, None, f"{len(values)} fields, expected {len(columns)}"))
            elif not values[0].strip():
                problems.append(Problem(shown, line, columns[0], "empty"))
            elif values[0] in rows:
                problems.append(Problem(shown, line, columns[0], f"{values[0]!r} repeats an earlier row"))
            else:
                rows[values[0]] = dict(zip(columns, values, strict=True))
    if problems:
        raise DataPackageError(problems)
    return rows


@cache
def market_translations() -> dict[str, dict[str, str]]:
    """French name and description of the bundled markets, by market id (translations/markets_fr.csv, which
    also keeps the English name it translates so that a renamed market shows in English, never mistranslated)."""
    return read_translations("markets_fr.csv", ("id", "name_en", "name", "description"))


@cache
def share_notes_fr() -> dict[str, str]:
    """French of the notes of the derived share rows (the remainder and derivation notes a market page shows), by
    English note (translations/share_notes_fr.csv: a reworded English note has no French and shows as it is)."""
    return {key: row["note"] for key, row in read_translations("share_notes_fr.csv", ("note_en", "note")).items()}


@cache
def _event_titles_fr() -> dict[str, str]:
    """French titles of the bundled policy events by English title."""
    return {r["title_en"]: r["title"] for r in data_translations("policy_events").values()}


@cache
def _market_names_fr() -> dict[str, str]:
    """French market names by English name."""
    return {r["name_en"]: r["name"] for r in market_translations().values()}


def _translated_market(market_id: str, name_en: str | None, lang: str) -> dict[str, str] | None:
    """The French row of a market when ``lang`` is French and the row was made for the market's present English
    name (the same id in another data package, or a renamed market, keeps its English text)."""
    row = market_translations().get(market_id) if lang == "fr" else None
    return row if row is not None and row["name_en"] == name_en else None


#: Tables of the bundled package whose texts have a French version (translations/<table>_fr.csv: an ``id``
#: column, then for each translated field the English it translates, ``<field>_en``, and the French, ``<field>``).
TRANSLATED_TABLES = {
    "deals": ("description", "note"),
    "policy_events": ("title", "outcome"),
    "scenarios": ("title", "description"),  # the shipped scenarios (examples/scenarios/*.yaml), by scenario id
    "facilities": ("name",),  # names that describe a site ("AWS campus, Richmond County"); proper names stay
}


@cache
def data_translations(table: str) -> dict[str, dict[str, str]]:
    """French texts of the rows of a bundled table (:data:`TRANSLATED_TABLES`), by row id. Each row keeps the
    English it translates: a row whose English changed shows in English, never a stale translation."""
    columns = ("id", *(c for f in TRANSLATED_TABLES[table] for c in (f"{f}_en", f)))
    return read_translations(f"{table}_fr.csv", columns)


def deal_translations() -> dict[str, dict[str, str]]:
    """French description and note of the bundled deals, by deal id (translations/deals_fr.csv)."""
    return data_translations("deals")


def data_text(table: str, key: str, field: str, english: str | None, lang: str) -> str:
    """A row's text (``field`` of row ``key`` of ``table``, e.g. a deal's ``note``) in ``lang``; ``english``:
    that text in the data."""
    row = data_translations(table).get(key) if lang == "fr" and english else None
    if row is None or not row[field] or row[f"{field}_en"].strip() != str(english).strip():
        return english or ""
    return row[field]


def deal_text(deal_id: str, field: str, english: str | None, lang: str) -> str:
    """A deal's ``description`` or ``note`` in ``lang`` (``english``: that text in the data)."""
    return data_text("deals", deal_id, field, english, lang)


def market_name(market_id: str, english: str | None, lang: str) -> str:
    """A market's name in ``lang`` (``english`` is its name in the data)."""
    row = _translated_market(market_id, english, lang)
    return row["name"] if row is not None else english or ""


def market_description(market_id: str, name_en: str | None, english: str | None, lang: str) -> str:
    """A market's description in ``lang`` (``name_en`` and ``english``: its name and description in the data)."""
    row = _translated_market(market_id, name_en, lang)
    return row["description"] if row is not None and english else english or ""


#: French headers of the tables whose columns are the data's own fields (politics sections, the report's
#: sections, the deal web's centrality); English shows the field name with spaces.
COLUMN_LABELS_FR = {
    "amount_usd": "montant (USD)",
    "as_of": "au",
    "basis": "base",
    "betweenness": "intermédiarité",
    "cash_on_hand_usd": "trésorerie (USD)",
    "committee_kind": "type de comité",
    "deals": "accords",
    "degree_usd": "degré (USD)",
    "donor": "donateur",
    "eigenvector": "vecteur propre",
    "enacted": "adoptés",
    "enacted_qualifier": "précision (adoptés)",
    "entity": "entité",
    "entity_id": "identifiant de l'entité",
    "introduced": "déposés",
    "introduced_qualifier": "précision (déposés)",
    "is_pledge": "promesse",
    "jurisdiction": "juridiction",
    "jurisdictions_enacting": "juridictions ayant adopté",
    "kind": "type",
    "name": "nom",
    "network_commitment_usd": "engagement du réseau (USD)",
    "period": "période",
    "period_end": "fin de période",
    "qualifier": "précision",
    "receipts_usd": "recettes (USD)",
    "source_id": "source",
    "source_ids": "sources",
    "spending_usd": "dépenses (USD)",
    "sponsor": "parrain",
    "stance": "position",
    "tracker": "observatoire",
    "year": "année",
}


def value_label(value: Any, lang: str) -> str:
    """A coded value (``chip_purchase``, ``under_construction``, a layer id) or a table's field name
    (``amount_usd``) as a reader's label in ``lang``."""
    text = "" if value is None else str(value)
    if lang == "fr" and text in VALUE_LABELS_FR:
        return VALUE_LABELS_FR[text]
    if lang == "fr" and text in COLUMN_LABELS_FR:
        return COLUMN_LABELS_FR[text]
    if lang == "fr" and chart_label(text, lang) != text:  # a fixed text of the application (compute steps)
        return chart_label(text, lang)
    return text.replace("_", " ")


#: French of the winners page's texts the value-capture measures write in English (measures.value_capture: what
#: a layer's total covers, why a firm is left out), applied in turn to a text :data:`WINNERS_NOTE` matches. The
#: window note is written from its fields (:func:`marketpower.publish.notes.winners_window_note`).
WINNERS_NOTE = re.compile(r"no market cap within .+|[a-z0-9-]+ \([^()]*\)(, [a-z0-9-]+ \([^()]*\))*")
WINNERS_NOTE_RULES_FR = (
    (re.compile(r"\(whole firm\)"), "(toute l'entreprise)"),
    (re.compile(r"\(rest of the firm: "), "(reste de l'entreprise : "),
    (re.compile(r"\(([^():]+?) ?: (?=[\d.]+% of )"), "(\\1 : "),
    (re.compile(r"([\d.]+)% of (\S+) revenue\)"), "\\1\u202f% du chiffre d'affaires \\2)"),
    (re.compile(r"(\d)\.(\d)"), "\\1,\\2"),
    (re.compile(r"no market cap within (\d+) days of (\S+?)(;|$)"),
     "pas de capitalisation à moins de \\1 jours du \\2\\3"),
    (re.compile(r"; its first in the data is on (\S+) \(listed later, or no earlier value found\)"),
     " ; la première des données date du \\1 (cotée plus tard, ou pas de valeur antérieure trouvée)"),
)  # fmt: skip


#: A date as the domain code writes it in a note (ISO 8601), shown in French prose as a long date.
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def winners_note_fr(text: str) -> str:
    """A note of the winners page in French (its dates written out: "du 30 novembre 2022"), or ``text`` as it is
    when no rule set is made for it."""
    from .formatting import date  # formatting imports this module

    if not WINNERS_NOTE.fullmatch(text):
        return text
    for pattern, replacement in WINNERS_NOTE_RULES_FR:
        text = pattern.sub(replacement, text)
    return ISO_DATE.sub(lambda found: date(found.group(0), "fr"), text)


#: French of the derived share rows' notes of the Epoch AI market (installed H100-equivalents by owner), which
#: the Epoch ingest writes from one template: applied to a note :data:`EPOCH_NOTE` matches.
EPOCH_NOTE = re.compile(r"Epoch AI median [\d,]+ H100e installed .+")
EPOCH_NOTE_RULES_FR = (
    (re.compile(r"Epoch AI median ([\d,]+) H100e installed \(cumulative deliveries of (.+?) since (\S+)\) over the "
                r"total of all owners' medians ([\d,]+); range: owner at its 5th-percentile sum ([\d,]+) and every "
                r"other owner at its 95th, and the reverse \(([\d,]+)\)"),
     "médiane Epoch AI de \\1 H100e installés (livraisons cumulées de \\2 depuis le \\3) sur le total des médianes "
     "de tous les détenteurs, \\4 ; fourchette : le détenteur à la somme de son 5e centile, \\5, tous les autres au "
     "95e, puis l'inverse (\\6)"),
    (re.compile(r"; Epoch's residual 'Other' owners"), " ; les détenteurs résiduels « Other » d'Epoch"),
    (re.compile(r"; no percentiles published for part of this estimate \(taken as the median\)"),
     " ; pas de centiles publiés pour une partie de cette estimation (prise à la médiane)"),
    (re.compile(r"; 5th-95th percentile share range ([\d.]+)-([\d.]+) \(kept in the note: run `marketpower ingest "
                r"epoch-chips` for the range columns\)"),
     " ; part entre le 5e et le 95e centile : \\1-\\2 (gardée dans la note : lancez `marketpower ingest epoch-chips` "
     "pour les colonnes de fourchette)"),
    (re.compile(r"(\d),(\d{3})"), "\\1\u202f\\2"),
    (re.compile(r"(\d),(\d{3})"), "\\1\u202f\\2"),  # again: 1,576,747 has two groups
    (re.compile(r"(\d)\.(\d)"), "\\1,\\2"),
)  # fmt: skip


def epoch_note_fr(text: str) -> str:
    """A note of an Epoch AI share row in French, or ``text`` as it is when it is no such note."""
    if not EPOCH_NOTE.fullmatch(text):
        return text
    for pattern, replacement in EPOCH_NOTE_RULES_FR:
        text = pattern.sub(replacement, text)
    return text


#: French of the fixed texts the application writes for a page (merger screens' outcomes, consequences and
#: tests, measures.guidelines; scenario diagnostics, scenario.analysis; calibration methods, simulate/*): the
#: JSON twin and the CLI keep the English. The guidelines are paraphrased faithfully; a quoted passage of a US
#: guideline (published in English only) is marked as our translation.
APP_TEXTS_FR = {
    # screen outcomes (ScreenResult.outcome) and the basis of a screen's HHI
    "presumption": "présomption",
    "no_presumption": "pas de présomption",
    "unlikely_adverse_effects": "effets anticoncurrentiels peu probables",
    "significant_concerns": "préoccupations importantes",
    "unclassified": "non classé",
    "safe_harbour": "zone de sécurité",
    "unlikely_concerns": "problèmes peu probables",
    "unlikely_concerns_unless_special_circumstances": "problèmes peu probables, sauf circonstances particulières",
    "above_initial_indicators": "au-delà des indicateurs initiaux",
    "both bounds": "les deux bornes",
    "lower bound": "borne basse",
    "upper bound": "borne haute",
    # the tests of each screen (Threshold.test)
    "post-merger HHI > 1,800": "IHH après l'opération > 1\u202f800",
    "ΔHHI > 100": "ΔIHH > 100",
    "ΔHHI > 200": "ΔIHH > 200",
    "ΔHHI < 100": "ΔIHH < 100",
    "merged share > 30%": "part fusionnée > 30\u202f%",
    "post-merger HHI < 1,500 (unconcentrated)": "IHH après l'opération < 1\u202f500 (marché non concentré)",
    "post-merger HHI > 2,500 (highly concentrated)": "IHH après l'opération > 2\u202f500 (marché très concentré)",
    "merged share ≤ 25% (recital 32)": "part fusionnée ≤ 25\u202f% (considérant 32)",
    "post-merger HHI < 1,000 (¶19)": "IHH après l'opération < 1\u202f000 (point 19)",
    "post-merger HHI 1,000-2,000 with ΔHHI < 250 (¶20)":
        "IHH après l'opération de 1\u202f000 à 2\u202f000 avec ΔIHH < 250 (point 20)",
    "post-merger HHI > 2,000 with ΔHHI < 150 (¶20)": "IHH après l'opération > 2\u202f000 avec ΔIHH < 150 (point 20)",
    "merged share ≥ 50% (¶17)": "part fusionnée ≥ 50\u202f% (point 17)",
    # what each guideline says follows (ScreenResult.consequence)
    "creates or further consolidates a highly concentrated market":
        "crée un marché très concentré ou le concentre davantage",
    "creates a firm with a share above 30%": "crée une entreprise dont la part dépasse 30\u202f%",
    "Guideline 1's structural presumption does not apply (it needs an HHI increase above 100 together with a "
    "post-merger HHI above 1,800 or a merged share above 30%). The Agencies may still find the merger unlawful "
    "under the other guidelines, e.g. loss of substantial head-to-head competition.":
        "La présomption structurelle de la ligne directrice 1 ne s'applique pas (il y faut une hausse de l'IHH de "
        "plus de 100 avec un IHH après l'opération de plus de 1\u202f800 ou une part fusionnée de plus de 30\u202f%). "
        "Les autorités peuvent encore juger la concentration illicite au titre des autres lignes directrices, par "
        "exemple pour la disparition d'une concurrence directe substantielle entre les parties.",
    'Mergers with an HHI increase below 100, or that leave the market unconcentrated, are "unlikely to have '
    'adverse competitive effects and ordinarily require no further analysis".':
        "Les concentrations qui augmentent l'IHH de moins de 100, ou qui laissent le marché non concentré, « ont "
        "peu de chances d'avoir des effets anticoncurrentiels et ne demandent ordinairement pas d'autre analyse » "
        "(notre traduction).",
    'The merger "potentially raise[s] significant competitive concerns" and often warrants scrutiny '
    "(moderately concentrated market with ΔHHI above 100, or highly concentrated with ΔHHI of 100-200).":
        "La concentration « soulève potentiellement d'importantes préoccupations de concurrence » (notre "
        "traduction) et justifie souvent un examen attentif (marché modérément concentré avec un ΔIHH de plus de "
        "100, ou très concentré avec un ΔIHH de 100 à 200).",
    'Highly concentrated market with an HHI increase above 200: the merger is "presumed to be likely to enhance '
    'market power"; persuasive evidence showing it is unlikely to do so can rebut the presumption.':
        "Marché très concentré et hausse de l'IHH de plus de 200 : la concentration est « présumée susceptible "
        "d'accroître le pouvoir de marché » (notre traduction) ; des éléments convaincants montrant qu'elle ne le "
        "fera probablement pas peuvent renverser la présomption.",
    "Moderately concentrated market with an HHI increase of exactly 100: §5.3 names increases below 100 (no "
    "further analysis) and above 100 (potential concerns) but not exactly 100.":
        "Marché modérément concentré avec une hausse de l'IHH d'exactement 100 : le §5.3 traite des hausses de "
        "moins de 100 (pas d'autre analyse) et de plus de 100 (préoccupations potentielles), pas d'une hausse "
        "d'exactement 100.",
    "Combined share not above 25%: such concentrations are presumed compatible with the common market as they "
    "are not liable to impede effective competition (Merger Regulation recital 32, applied by ¶18 of the "
    "Guidelines).":
        "Part combinée d'au plus 25\u202f% : ces concentrations sont présumées compatibles avec le marché commun, "
        "car elles ne sont pas susceptibles d'entraver une concurrence effective (considérant 32 du règlement sur "
        "les concentrations, appliqué par le point 18 des lignes directrices).",
    'Post-merger HHI below 1,000: the Commission is "unlikely to identify horizontal competition concerns" and '
    "such markets normally need no extensive analysis (¶19).":
        "IHH après l'opération inférieur à 1\u202f000 : il est peu probable que la Commission relève des problèmes "
        "de concurrence horizontaux, et ces marchés ne demandent normalement pas d'analyse approfondie (point 19).",
    "Within the ¶20 levels the Commission is unlikely to identify horizontal competition concerns, except in "
    "special circumstances: a potential or recent entrant, an important innovator, significant "
    "cross-shareholdings, a maverick, signs of past or ongoing coordination, or a party with a pre-merger share "
    "of 50% or more (¶20(a)-(f)).":
        "Dans les niveaux du point 20, il est peu probable que la Commission relève des problèmes de concurrence "
        "horizontaux, sauf circonstances particulières : un entrant potentiel ou récent, un innovateur important, "
        "d'importantes participations croisées, un franc-tireur, des signes de coordination passée ou en cours, ou "
        "une partie détenant avant l'opération une part de 50\u202f% ou plus (point 20, a) à f)).",
    "above 2,000, where ΔHHI must be below 150": "au-dessus de 2\u202f000, où le ΔIHH doit rester sous 150",
    "between 1,000 and 2,000, where ΔHHI must be below 250":
        "entre 1\u202f000 et 2\u202f000, où le ΔIHH doit rester sous 250",
    # the screening page's MHHI note (api.screening)
    "named firms only (the unattributed remainder counts as fragmented)":
        "entreprises nommées seulement (le reste non attribué compte comme fragmenté)",
    # scenario diagnostics (scenario.analysis): flags, needs and reasons
    "accounting operating margin used as the Lerner margin":
        "marge opérationnelle comptable prise comme marge de Lerner",
    "margin of the parent group, not of the unit": "marge du groupe, non de l'unité",
    "optionally the market elasticity": "éventuellement l'élasticité du marché",
    "the profit weights are the same in both states": "les poids de profit sont les mêmes dans les deux états",
    "on the input": "sur l'intrant",
    "downstream": "en aval",
    # calibration methods (simulate/*: Calibration.method)
    "exact: α from the one known margin": "exact : α tiré de la seule marge connue",
    "exact solve of the calibration equations (as many targets as parameters)":
        "résolution exacte des équations de calibrage (autant de cibles que de paramètres)",
    "exact: PCAIDS scale from the known own elasticity (Epstein-Rubinfeld)":
        "exact : échelle PCAIDS tirée de l'élasticité propre connue (Epstein-Rubinfeld)",
    "exact: one nest, which is PCAIDS": "exact : un seul nid, c'est-à-dire PCAIDS",
}  # fmt: skip

#: The application's texts with figures or names in them: (pattern, French template); each group is put in
#: French by :func:`chart_label` (a fixed text above, a code) or, a figure, in French typography.
APP_PATTERNS_FR = (
    (re.compile(r"(.+) A combined share of 50% or more may in itself be evidence of a dominant position \(¶17\)\."),
     "{0} Une part combinée de 50\u202f% ou plus peut constituer en soi la preuve d'une position dominante "
     "(point 17)."),
    (re.compile(r'The merger (.+) with an HHI increase above 100: under Guideline 1 it is "presumed to '
                r'substantially lessen competition or tend to create a monopoly"\. The presumption can be rebutted '
                r"or disproved by evidence that no such harm is likely\."),
     "La concentration {0}, avec une hausse de l'IHH de plus de 100 : selon la ligne directrice 1, elle est "
     "présumée « réduire substantiellement la concurrence ou tendre à créer un monopole » (notre traduction). La "
     "présomption peut être renversée ou réfutée par des éléments montrant qu'un tel dommage est peu probable."),
    (re.compile(r"Outside the safe harbours: the combined share of (\d+)% is above 25% \(recital 32\), and the "
                r"post-merger HHI of ([\d,]+) with a ΔHHI of ([\d,]+) is beyond the ¶19-20 levels \((.+)\)\. The "
                r"Guidelines draw no presumption either way here: the levels only indicate when concerns are "
                r"unlikely, they do not presume that concerns exist or that they do not, and the Commission "
                r"assesses the merger's effects \(¶21\)\."),
     "Hors des zones de sécurité : la part combinée de {0}\u202f% dépasse 25\u202f% (considérant 32), et l'IHH "
     "après l'opération de {1} avec un ΔIHH de {2} est au-delà des niveaux des points 19 et 20 ({3}). Les lignes "
     "directrices n'en tirent ici aucune présomption, dans un sens ou dans l'autre : ces niveaux indiquent "
     "seulement quand des problèmes sont peu probables, ils ne font présumer ni qu'il en existe ni qu'il n'en "
     "existe pas, et la Commission apprécie les effets de la concentration (point 21)."),
    (re.compile(r"US 2023 Guideline 1 \(MHHI > 1,800 and Δ > 100\): (\w+) -> (\w+)"),
     "Lignes directrices américaines de 2023, ligne directrice 1 (IHH modifié > 1\u202f800 et Δ > 100) : {0} → {1}"),
    (re.compile(r"the margin of (\S+) (on the input|downstream) \(`kind: margin, entity: \S+`\)(.*)"),
     "la marge de {0} {1} (`kind: margin, entity: {0}`){2}"),
    (re.compile(r": the operating margin of (\S+), (-?[\d.]+)%, is not positive, so it cannot stand for one"),
     " : la marge opérationnelle de {0}, {1}\u202f%, n'est pas positive et ne peut donc pas en tenir lieu"),
    (re.compile(r"the input's price as a share of (\S+)'s price \((`kind: input_cost_share, [^`]+`)\)"),
     "le prix de l'intrant en part du prix de {0} ({1})"),
    (re.compile(r"a market \(revenue or unit shares\) in which (\S+) sells downstream"),
     "un marché (parts en chiffre d'affaires ou en unités) où {0} vend en aval"),
    (re.compile(r"a rival of (\S+) with a share in (\S+)"), "un concurrent de {0} ayant une part dans {1}"),
    (re.compile(r"point shares of two or more firms in (\S+)"),
     "des parts ponctuelles d'au moins deux entreprises dans {0}"),
    (re.compile(r"a price-cost margin \(fraction\) of one of (.+) in (\S+): add an assumption "
                r"(`kind: margin, entity: \.\.\., market: \.\.\.`)"),
     "une marge prix-coût (fraction) de l'une des entreprises {0} dans {1} : ajoutez une hypothèse {2}"),
    (re.compile(r"shares measure usage, not sales: a price simulation needs revenue or unit shares"),
     "les parts mesurent l'usage, pas des ventes : une simulation de prix demande des parts en chiffre "
     "d'affaires ou en unités"),
    (re.compile(r"shares measure capacity, not sales: a price simulation needs revenue or unit shares"),
     "les parts mesurent la capacité, pas des ventes : une simulation de prix demande des parts en chiffre "
     "d'affaires ou en unités"),
    (re.compile(r"closed-form least squares of (\d+) margins on 1/α"),
     "moindres carrés explicites de {0} marges sur 1/α"),
    (re.compile(r"least squares over (\d+) targets for (\d+) parameters"),
     "moindres carrés sur {0} cibles pour {1} paramètres"),
    (re.compile(r"least squares: symmetric slopes \((\d+) parameters\) fitted to (\d+) margin\(s\) and "
                r"(\d+) diversions"),
     "moindres carrés : pentes symétriques ({0} paramètres) ajustées à {1} marge(s) et {2} ratios de diversion"),
    (re.compile(r"least squares over (\d+) margins for α and one common bargaining power"),
     "moindres carrés sur {0} marges pour α et un pouvoir de négociation commun"),
    (re.compile(r"least squares over (\d+) retail and upstream margins for α and one bargaining weight"),
     "moindres carrés sur {0} marges de détail et amont pour α et un poids de négociation"),
)  # fmt: skip
_FIGURE = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?|-?\d+(\.\d+)?")


def app_text_fr(text: str) -> str:
    """A text of :data:`APP_TEXTS_FR` or :data:`APP_PATTERNS_FR` in French, or ``text`` as it is."""
    if text in APP_TEXTS_FR:
        return APP_TEXTS_FR[text]
    for pattern, template in APP_PATTERNS_FR:
        match = pattern.fullmatch(text)
        if match:
            return _ELIDED_DE.sub("d'", template.format(*(_group_fr(group) for group in match.groups())))
    return text


#: "de" before a name that starts with a vowel, elided once the name is in place ("de openai" -> "d'openai").
_ELIDED_DE = re.compile(r"\bde (?=[aeiouyAEIOUY])")


def _group_fr(group: str) -> str:
    """A matched part of an application text in French: a figure in French typography ("5,098" → "5 098",
    "1.5" → "1,5"), a code or text by :func:`chart_label`; names, ids and code kept."""
    if _FIGURE.fullmatch(group):
        return group.replace(",", "\u202f").replace(".", ",")
    if group.startswith((" ", ":", "`")) or not group:
        return app_text_fr(group) if group.startswith(":") else group
    return chart_label(group, "fr")


def chart_label(text: str, lang: str) -> str:
    """A chart's text (title, axis or legend title, a market name or layer used as a title) in ``lang``."""
    if lang != "fr":
        return text
    if text in CHART_LABELS_FR:
        return CHART_LABELS_FR[text]
    names = _market_names_fr()
    if text in names:
        return names[text]
    events = _event_titles_fr()
    if text in events:  # a policy event's title, drawn on the money timeline
        return events[text]
    if text in share_notes_fr():  # a derived share row's note (market pages)
        return share_notes_fr()[text]
    if text in VALUE_LABELS_FR:
        return VALUE_LABELS_FR[text]
    if text.replace(" ", "_") in VALUE_LABELS_FR:  # a code shown with spaces ("chip purchase")
        return VALUE_LABELS_FR[text.replace(" ", "_")]
    for note_fr in (winners_note_fr, epoch_note_fr, app_text_fr):  # texts written from templates
        if note_fr(text) != text:
            return note_fr(text)
    if re.fullmatch(r"\d{1,3}(,\d{3})+", text):  # a count with English thousands ("10,000" in a title)
        return text.replace(",", "\u202f")
    for pattern, template in CHART_PATTERNS_FR:
        match = pattern.fullmatch(text)
        if match:
            return template.format(*(chart_label(group, lang) for group in match.groups()))
    return text


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise InvalidInputError(f"--lang {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return lang


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` for templates: the message in ``lang``; class labels ("highly concentrated") translated too."""
    check_language(lang)

    def t(key: str) -> str:
        if key in MESSAGES:
            return MESSAGES[key][lang]
        if lang == "fr":
            return " à ".join(CLASS_LABELS_FR.get(part, part) for part in key.split(" to "))
        return key

    return t
