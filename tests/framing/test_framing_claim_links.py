"""Issue 12, second round, on small synthetic texts: a figure's period is carried over from
an earlier sentence only through a link the text makes; `counted` from the parse when the
number's noun is not next to it; a share takes the source and years of its base count."""

from __future__ import annotations

from framing_synthetic import claim, claims_of

from annotations.framing import Parser
from annotations.framing.models import Claim


def period(c: Claim) -> tuple[int | None, int | None]:
    return c.period_start, c.period_end


def test_a_sentence_without_a_link_borrows_no_period(parser: Parser) -> None:
    text = (
        "In 1931 the ministry moved 40,000 families to the north. The drought hit the south, "
        "and some 2 million farmers perished in the lowlands."
    )
    assert period(claim(claims_of(text, parser), "2 million")) == (None, None)


def test_an_opening_preposition_and_pronoun_links_to_the_sentence_before(parser: Parser) -> None:
    text = (
        "The decree of March 1812 allowed arrests without trial. Under it at least 8,000 "
        "people were arrested before the winter of 1813."
    )
    arrested = claim(claims_of(text, parser), "8,000")
    assert period(arrested) == (1812, 1813)  # "before" ends it, the decree starts it


def test_a_time_word_without_a_year_takes_the_year_given_before(parser: Parser) -> None:
    text = (
        "In the spring of 1850 the city was under siege. The council raised 5,000 "
        "volunteers by the summer."
    )
    assert period(claim(claims_of(text, parser), "5,000")) == (1850, 1850)


def test_the_same_source_carries_its_period(parser: Parser) -> None:
    text = (
        "The economist Paul Martin counted 4,000 strikes between 1901 and 1905. The press "
        "ignored most of them. In Martin's own tables, miners account for about 40 per cent "
        "of the strikes."
    )
    share = claim(claims_of(text, parser), "40 per cent")
    assert period(share) == (1901, 1905)
    assert "Martin" in share.attributed_to


def test_the_same_event_named_again_carries_its_period(parser: Parser) -> None:
    text = (
        "The army organised mass evictions in the valley between 1850 and 1852. About 3,000 "
        "families are thought to have been evicted."
    )
    assert period(claim(claims_of(text, parser), "3,000")) == (1850, 1852)


def test_a_clause_opened_by_before_ends_the_period(parser: Parser) -> None:
    text = (
        "The first evictions, in 1851, hit some forty shepherds. Then came the farmers: as "
        "many as 900 people may have been evicted before the governor was recalled in 1853."
    )
    assert period(claim(claims_of(text, parser), "900")) == (1851, 1853)


def test_counted_from_the_attribute_of_a_partitive_pronoun(parser: Parser) -> None:
    text = "The parish register lists 300 names, and more than a hundred of them are children."
    assert "children" in claim(claims_of(text, parser), "a hundred").counted


def test_counted_is_the_object_a_value_is_given_to(parser: Parser) -> None:
    text = "In 1790 the decree fixed the rents of most farms at one-fifth above their old level."
    assert "rents" in claim(claims_of(text, parser), "one-fifth").counted


def test_counted_in_a_gapped_clause_is_the_word_before_the_share(parser: Parser) -> None:
    text = "In 1911 women made up about 30 percent of the strikers and children about 12 percent."
    assert claim(claims_of(text, parser), "12 percent").counted == "children"


def test_a_hyphenated_noun_is_counted_whole(parser: Parser) -> None:
    text = "In 1820 the rebel was hanged with more than a dozen co-defendants."
    assert claim(claims_of(text, parser), "a dozen").counted == "co-defendants"
    text = "In 1930 some 300,000 so-called kulaks were deported to the east."
    assert "kulaks" in claim(claims_of(text, parser), "300,000").counted


def test_a_total_points_at_the_largest_figure_before_it(parser: Parser) -> None:
    text = (
        "A study estimated that 50,000 villagers died in the war of 1870-1871, and that "
        "perhaps 8,000 soldiers also lost their lives. Higher totals, up to 90,000, have "
        "also been suggested."
    )
    claims = claims_of(text, parser)
    total = claim(claims, "90,000")
    assert total.counted == claim(claims, "50,000").counted
    assert period(total) == (1870, 1871)


def test_a_bare_number_counts_what_the_figure_beside_it_counts(parser: Parser) -> None:
    text = "In 1901, 4,200 workers were dismissed in the capital, compared with 2,300 elsewhere."
    claims = claims_of(text, parser)
    assert claim(claims, "2,300").counted == claim(claims, "4,200").counted != ""


def test_a_share_of_a_credited_count_is_credited_to_its_source(parser: Parser) -> None:
    text = (
        "The historian Ana Ruiz counted 2,000 death sentences between 1936 and 1939. The war "
        "hit the poor hardest. About 60 percent of those sentenced to death were labourers."
    )
    share = claim(claims_of(text, parser), "60 percent")
    assert "Ruiz" in share.attributed_to and share.attribution_from == "base"
    assert period(share) == (1936, 1939)


def test_his_record_credits_the_person_named_as_subject_before(parser: Parser) -> None:
    text = (
        "After the fire of 1795 the priest Jean Moreau drew up a list of the dead. His "
        "register holds 412 names, and more than a hundred of them are children."
    )
    claims = claims_of(text, parser)
    assert "Moreau" in claim(claims, "412").attributed_to
    assert "Moreau" in claim(claims, "a hundred").attributed_to


def test_the_owner_of_an_estimate_is_its_source_not_a_place(parser: Parser) -> None:
    text = (
        "The historian Jean Dupont counted 4,000 strikes between 1901 and 1905. Jean "
        "Dupont's own estimate of the total is 6,000."
    )
    total = claim(claims_of(text, parser), "6,000")
    assert total.place == "" and "Dupont" in total.attributed_to


def test_a_duration_is_a_claim_and_a_rate_stays_a_rate(parser: Parser) -> None:
    """How long something lasted is a figure about the past (the development set's
    "47 days"); it counts its unit, while "a year" after a figure still makes a rate."""
    claims = claims_of(
        "The siege of the city lasted 47 days. Thousands received ten year sentences. "
        "Output grew by 5 per cent a year.\n", parser)
    assert claim(claims, "47").counted == "days"
    assert claim(claims, "ten").counted == "year"
    assert claim(claims, "5 per cent").counted == "per year"


def test_by_a_year_dates_what_was_reached_then(parser: Parser) -> None:
    """"by 1934" dates the figure at 1934, as "by the summer of 1794" and "in" do; "until"
    still ends a period."""
    claims = claims_of(
        "By 1934 the camps held more than one million prisoners. "
        "Until 1936 some 40,000 inmates worked on the canal.\n", parser)
    assert period(claim(claims, "one million")) == (1934, 1934)
    assert period(claim(claims, "40,000")) == (None, 1936)


def test_a_table_s_rows_count_what_its_introduction_names(parser: Parser) -> None:
    """Rows of a name and a number under a line ending in ':' count what that line names
    and are the named one's figures; a later table whose line names nothing counts what
    the previous table counted."""
    claims = claims_of(
        "Counting only the cold-blooded killings, we get this:\n\n"
        "Pol Pot 2M\nIdi Amin 300,000\n\n"
        "Adding the wars, the list goes back to:\n\n"
        "Pol Pot 3M\nIdi Amin 500,000\n", parser)
    rows = {c.quote: c for c in claims if c.quote in ("2M", "3M", "300,000", "500,000")}
    killed = "cold-blooded killings"
    assert {q: (c.counted, c.place) for q, c in rows.items()} == {
        "2M": (killed, "Pol Pot"), "300,000": (killed, "Idi Amin"),
        "3M": (killed, "Pol Pot"), "500,000": (killed, "Idi Amin")}


def test_a_source_alone_does_not_tie_a_placed_figure_to_a_placeless_one(
        parser: Parser) -> None:
    from annotations.framing.alignment import align

    claims = claims_of(
        "According to White, some 30 million people died in China.\n\n"
        "According to White, up to 50 million people died.\n", parser)
    assert not [g for g in align(claims) if len(g.claims) > 1]


def test_a_table_with_a_header_and_years_for_names(parser: Parser) -> None:
    """A header's value column says what the rows count, a year for a row's name dates
    the row, and the source its introduction names is the rows' source."""
    claims = claims_of(
        "The vicar Thomas Hale's register shows how the congregation shrank:\n\n"
        "Year\t\tMembers\n1801\t\t2,340\n1811-20\t\t1,905\n\n"
        "Nobody disputes them.\n", parser)
    first, second = claim(claims, "2,340"), claim(claims, "1,905")
    assert (first.counted, period(first), first.place) == ("members", (1801, 1801), "")
    assert period(second) == (1811, 1820)
    assert "Hale" in first.attributed_to and "Hale" in second.attributed_to


def test_a_word_for_now_is_not_what_a_figure_counts(parser: Parser) -> None:
    claims = claims_of("The valley holds about 7,000 today, against 9,500 in 1850.", parser)
    assert claim(claims, "7,000").counted != "today"
