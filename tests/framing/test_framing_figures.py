"""Figures as history texts write them, on synthetic sentences worded unlike the seeds and
the development set: sums of money, fractions of a unit or of one per cent, a range of two
fractions, a negated bound, a year cut short, measures of things (not of a person), a
clause after a semicolon with its own year, and a period never taken from a sentence about
another country."""

from __future__ import annotations

from framing_synthetic import claim as only
from framing_synthetic import claims_of

from annotations.framing import Parser


def test_sums_of_money_keep_their_sign_bound_and_what_they_count(parser: Parser) -> None:
    claims = claims_of(
        "The city spent about £40,000 on bread. A merchant gave $95 in 1921. "
        "Rome paid over €2 million.", parser)
    bread = only(claims, "40,000")
    assert (bread.quote, bread.bound, bread.unit, bread.counted) == (
        "about £40,000", "approx", "£", "pounds")
    gift = only(claims, "95")  # a small sum is a figure, not a bare number
    assert (gift.quote, gift.counted, gift.period_start) == ("$95", "dollars", 1921)
    rome = only(claims, "2 million")
    assert (rome.value_low, rome.value_high, rome.bound) == (2_000_000, None, "lower")


def test_fractions_of_one_unit_and_of_one_per_cent(parser: Parser) -> None:
    claims = claims_of(
        "No tenant could keep more than half an acre. The tax took less than a quarter "
        "of one per cent of wages.", parser)
    acre = only(claims, "half")
    assert (acre.value_low, acre.value_high, acre.bound, acre.unit) == (0.5, None, "lower", "acre")
    tax = only(claims, "quarter")
    assert (tax.value_low, tax.value_high, tax.unit) == (None, 0.25, "%")


def test_a_range_of_two_fractions_is_one_claim(parser: Parser) -> None:
    claims = claims_of("Between a quarter and a third of the flock died that winter.", parser)
    assert len(claims) == 1
    c = claims[0]
    assert (c.value_low, c.value_high, c.bound, c.counted) == (25.0, 33.33, "range", "flock")


def test_a_negation_turns_a_bound_round(parser: Parser) -> None:
    claims = claims_of(
        "The minister was sure the fever would not claim more than 5,000 lives. "
        "No more than 300 returned. Not fewer than 2,000 marched.", parser)
    fever = only(claims, "5,000")
    assert (fever.value_low, fever.value_high, fever.bound) == (None, 5000, "upper")
    assert only(claims, "300").bound == "upper"
    assert only(claims, "2,000").bound == "lower"


def test_a_year_cut_short_is_not_a_figure(parser: Parser) -> None:
    claims = claims_of("Memories of the winter of ’93 lasted; 4,000 had frozen.", parser)
    assert [c.quote for c in claims] == ["4,000"]


def test_a_measure_of_something_is_a_figure_a_persons_measure_is_not(parser: Parser) -> None:
    claims = claims_of(
        "The general stood 6 feet 2 inches tall. Each soldier carried 60 pounds of kit, and "
        "a horse ate 20 pounds a day.", parser)
    assert sorted(c.value_low for c in claims if c.value_low) == [20, 60]


def test_a_clause_after_a_semicolon_keeps_its_own_year(parser: Parser) -> None:
    claims = claims_of(
        "In 1801 the register listed 5,300 souls in the parish; in 1831 it listed 4,100.", parser)
    assert (only(claims, "5,300").period_start, only(claims, "4,100").period_start) == (1801, 1831)


def test_a_figure_about_the_texts_country_takes_no_year_from_another_country(
    parser: Parser,
) -> None:
    claims = claims_of(
        "Norway suffered hunger too. Norway lost thousands in 1812. Sweden sealed its ports. "
        "The Swedish famine of 1867-69 carried off about 3 per cent of Sweden's people. "
        "But Norway lost one person in twenty in a few short years.", parser)
    norway = only(claims, "one person in twenty")
    assert (norway.period_start, norway.period_end) == (None, None)


def test_a_comparison_with_another_country_stays_out_of_the_texts_groups(
    parser: Parser,
) -> None:
    from annotations.framing.alignment import align

    claims = claims_of(
        "Norway starved in 1812. A minister feared the hunger would kill no more than 5,000 "
        "people.\n\nWas it the worst? In 1943 some three million people died in the Bengal "
        "famine, under a government at war.", parser)
    bengal = only(claims, "three million")
    assert bengal.place == "Bengal"  # the tagger may not call it a place
    minister = only(claims, "5,000")
    assert "bengal" not in minister.scope.split(", ")
    assert not [g for g in align(claims) if len(g.claims) > 1]


def test_a_bound_after_the_figure(parser: Parser) -> None:
    claims = claims_of(
        "A porter carried 90 pounds or more a day. Some 300 or so deserted in 1809.", parser)
    porter = only(claims, "90")
    assert (porter.value_low, porter.value_high, porter.bound) == (90, None, "lower")
    assert only(claims, "300").bound == "approx"


def test_what_money_buys_and_a_rate_beside_its_count(parser: Parser) -> None:
    claims = claims_of(
        "The council bought £8,000 worth of Turkish tobacco. In 1852 about 90,000 settlers "
        "arrived, roughly 1,700 a week.", parser)
    rye = only(claims, "8,000")
    assert rye.counted == "tobacco" and rye.place == ""  # a kind of tobacco, not a place
    week = only(claims, "1,700")
    assert week.counted.startswith("settlers") and week.counted.endswith("per week")
    assert week.kind == "rate"


def test_a_figure_of_the_writers_present_has_no_past_year(parser: Parser) -> None:
    claims = claims_of(
        "In 1850 the valley held 9,500 people. It holds about 7,000 people today. "
        "By then some 40 men now stood guard in 1799.", parser)
    assert (only(claims, "7,000").period_start, only(claims, "7,000").period_end) == (None, None)
    assert only(claims, "40").period_start == 1799  # narrative "now" is not the present


def test_a_proportion_counts_the_noun_inside_it(parser: Parser) -> None:
    claims = claims_of("The county lost one household in six to eviction.", parser)
    assert only(claims, "one household in six").counted.startswith("household")


def test_a_participle_after_the_counted_noun_says_what_happened(parser: Parser) -> None:
    claims = claims_of("Between 1880 and 1914 about two million people left Sweden.", parser)
    assert only(claims, "two million").counted == "people left"


def test_a_name_in_a_source_or_a_kind_is_no_place(parser: Parser) -> None:
    claims = claims_of(
        "According to declassified Prussian archives, the police shot 1,200 people in 1849. "
        "The port shipped £9,000 worth of Indian corn.", parser)
    assert only(claims, "1,200").place == "" and only(claims, "9,000").place == ""


def test_a_table_of_regions_under_a_heading_with_years(parser: Parser) -> None:
    claims = claims_of(
        "Losses varied. Share of farms abandoned between 1740 and 1760, in percent, by county:"
        "\nAntrim      22\nDown        9\n\nThe rest held.", parser)
    antrim, down = only(claims, "22"), only(claims, "9")
    assert (antrim.place, down.place) == ("Antrim", "Down")  # small numbers, still rows
    assert (antrim.period_start, antrim.period_end) == (1740, 1760)
    assert "share of farms" in antrim.counted


def test_more_bounds_and_vague_figures(parser: Parser) -> None:
    claims = claims_of(
        "Of the old parish, scarcely 300 remained. Losses stayed below 5 per cent in the hills. "
        "The valley lost a fifth of its people or more. More than half the herds died. "
        "Hundreds of letters survive. The feud lasted a quarter of a century. "
        "A soldier drew two pounds of bread a day.", parser)
    assert only(claims, "300").bound == "upper" and only(claims, "5 per cent").bound == "upper"
    fifth = only(claims, "a fifth")
    assert (fifth.value_low, fifth.bound) == (20.0, "lower")
    half = only(claims, "half")
    assert (half.value_low, half.bound) == (50.0, "lower")
    letters = only(claims, "Hundreds")
    assert (letters.value_low, letters.value_high) == (100, 1000)
    assert only(claims, "quarter").value_low == 25  # years
    assert only(claims, "two").value_low == 2  # a ration is a figure, not a word


def test_a_table_of_dated_places_after_colons(parser: Parser) -> None:
    claims = claims_of(
        "The column's strength on the march, as the quartermaster Jean Roux recorded it, "
        "is given below:\n\nRhine, 2 May 1805: 61,000\nUlm, 20 October 1805: 48,500\n", parser)
    rhine = only(claims, "61,000")
    assert (rhine.place, rhine.period_start, rhine.period_end) == ("Rhine", 1805, 1805)
    assert only(claims, "48,500").place == "Ulm"


def test_a_people_named_on_the_subject_says_whose_figure(parser: Parser) -> None:
    claims = claims_of("The two Austrian field armies numbered around 90,000 men.", parser)
    assert only(claims, "90,000").place == "Austrian"


def test_a_tilde_a_small_duration_and_a_presented_table(parser: Parser) -> None:
    claims = claims_of(
        "Roughly ~12k marched. The siege lasted for three days. Over those two years it "
        "rained. The size of the garrison at three dates, as the muster rolls record it, is "
        "given below:\n\nToulon, 1 March 1793: 9,000\n", parser)
    assert only(claims, "12k").bound == "approx"
    assert only(claims, "three").counted == "days"
    assert not [c for c in claims if c.quote == "two"]  # "those two years" points back
    assert only(claims, "9,000").counted == "size of garrison"


def test_lengths_of_time_stay_out_of_the_aligned_view(parser: Parser) -> None:
    from annotations.framing.alignment import align

    claims = claims_of(
        "The army reached Vienna in eleven weeks.\n\nAfter five weeks in Vienna it left.", parser)
    assert {c.counted for c in claims} == {"weeks"}
    assert not [g for g in align(claims) if len(g.claims) > 1]


def test_a_bare_number_counts_its_verb_with_where_it_went(parser: Parser) -> None:
    claims = claims_of(
        "Roughly 6,000 more went into exile. Fewer than 900 ever came home.", parser)
    assert only(claims, "6,000").counted == "went into exile"
    assert only(claims, "900").counted == "came home"
