"""The five source articles, by the short ids every scenario number and preference cites.

A source reference is one of these ids, or ``assumption`` (optionally followed by
``: why``) for outside knowledge or a modelling choice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    date: str
    gist: str  # our one-line paraphrase, never the article's own words


ARTICLES: dict[str, Article] = {
    a.id: a
    for a in (
        Article(
            "leverage-2017",
            "Is Russia Really with Assad in Syria?",
            "2017-06",
            "Russia's Astana safe zones keep rival powers engaged and stop Assad winning outright, "
            "so that everyone must deal with Moscow.",
        ),
        Article(
            "master-plan-2016",
            "Putin's Master Plan for Syria",
            "2016-03",
            "Russia draws down but keeps its bases and can return fast; it is exasperated with an "
            "inflexible Assad yet will not drop him.",
        ),
        Article(
            "alliance-2016",
            "Russia-Iran alliance under strain (with Carnegie's 'stand together or fall apart')",
            "2016-05",
            "Russia and Iran depend on each other (air power and ground forces) but quarrel when "
            "Iranian-led forces lose ground; Assad is Iran's red line.",
        ),
        Article(
            "iran-for-ukraine-2018",
            "Russia's endgame in Syria: Iran for Ukraine?",
            "2018-07",
            "The US wants Iran out and to leave; Russia would trade Iran's presence only for "
            "Ukraine and sanctions relief; Iran wants to stay as forward deterrence.",
        ),
        Article(
            "sochi-2017",
            "Putin's pro-Assad alliance with Turkey and Iran (Sochi)",
            "2017-11",
            "Russia gathers Assad, Turkey and Iran in its own framework while the US is left out.",
        ),
    )
}

ASSUMPTION = "assumption"


def is_valid_source(ref: str) -> bool:
    """An article id, or 'assumption' with an optional ': explanation'."""
    ref = ref.strip()
    if ref in ARTICLES:
        return True
    return ref == ASSUMPTION or ref.startswith(ASSUMPTION + ":")


def describe_source(ref: str) -> str:
    """A one-line human description of a source reference."""
    ref = ref.strip()
    if ref in ARTICLES:
        a = ARTICLES[ref]
        return f"{a.id} ({a.date}, \u201c{a.title}\u201d)"
    return ref
