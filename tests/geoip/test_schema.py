"""Raw records of every known schema, and garbage, into Fields."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geoip.schema import NOTHING, Fields, fields_for, record_answer

NAMES = {"en": "Ukraine", "ru": "Украина"}


def read_record(record: object) -> Fields:
    """What the locator makes of one record: its answer, as the shared Fields."""
    return fields_for(record_answer(record))


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        pytest.param(
            {"country": {"iso_code": "GB", "names": NAMES}, "continent": {"code": "EU"}},
            Fields("GB"),
            id="geoip2-country",
        ),
        pytest.param(
            {
                "city": {"names": {"en": "Boxford"}},
                "country": {"iso_code": "GB"},
                "subdivisions": [{"iso_code": "ENG"}, {"iso_code": "WBK", "names": NAMES}],
            },
            Fields("GB", ("GB-ENG", "GB-WBK")),
            id="geoip2-city-two-levels-most-general-first",
        ),
        pytest.param(
            {
                "country": {"iso_code": "UA", "confidence": 80},
                "subdivisions": [{"iso_code": "43", "confidence": 70}],
                "traits": {"autonomous_system_number": 28761, "isp": "CrimeaCom South LLC"},
            },
            Fields("UA", ("UA-43",), 28761),
            id="geoip2-enterprise",
        ),
        pytest.param(
            {"autonomous_system_number": 15169, "autonomous_system_organization": "Google"},
            Fields(asn=15169),
            id="geolite2-asn",
        ),
        pytest.param({"country_code": "RU"}, Fields("RU"), id="ip-location-db"),
        pytest.param(
            {"country_code": "UA", "asn": "AS15895", "as_name": "Kyivstar"},
            Fields("UA", asn=15895),
            id="ipinfo-lite",
        ),
        pytest.param(
            {"country": "US", "country_name": "United States", "asn": "AS15169"},
            Fields("US", asn=15169),
            id="ipinfo-country-asn",
        ),
        pytest.param({"country_code": "DE", "asn": 3320}, Fields("DE", asn=3320), id="asn-int"),
        pytest.param({"country": {"iso_code": "ua"}}, Fields("UA"), id="lower-case-country"),
        pytest.param(
            {"country": {"iso_code": "UA"}, "subdivisions": [{"iso_code": "UA-43"}]},
            Fields("UA", ("UA-43",)),
            id="full-subdivision-code-kept",
        ),
        pytest.param(
            {"subdivisions": [{"iso_code": "ua-43"}]},
            Fields(regions=("UA-43",)),
            id="full-subdivision-code-needs-no-country",
        ),
        pytest.param(
            {"country": {"iso_code": "UA"}, "subdivisions": [{"names": {"en": "Crimea"}}]},
            Fields("UA", ("UA-43",)),
            id="db-ip-subdivision-name-mapped",
        ),
        pytest.param(
            {"country": {"iso_code": "US"}, "subdivisions": [{"iso_code": "ny"}]},
            Fields("US", ("US-NY",)),
            id="lower-case-subdivision",
        ),
    ],
)
def test_each_known_schema_gives_its_fields(record: dict[str, Any], expected: Fields) -> None:
    assert read_record(record) == expected


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        pytest.param(None, NOTHING, id="none"),
        pytest.param("::/64", NOTHING, id="string-record"),
        pytest.param(42, NOTHING, id="int-record"),
        pytest.param([{"country_code": "RU"}], NOTHING, id="list-record"),
        pytest.param({}, NOTHING, id="empty-map"),
        pytest.param({"ip": "::1.1.1.1"}, NOTHING, id="unknown-keys"),
        pytest.param({"country": 7}, NOTHING, id="country-int"),
        pytest.param({"country": {"iso_code": "GBR"}}, NOTHING, id="alpha-3"),
        pytest.param({"country": {"iso_code": "G1"}}, NOTHING, id="digit-in-country"),
        pytest.param({"country": {"iso_code": "ÜA"}}, NOTHING, id="non-ascii-country"),
        pytest.param({"country": {"iso_code": ["UA"]}}, NOTHING, id="country-list"),
        pytest.param({"country": {}}, NOTHING, id="country-without-code"),
        pytest.param(
            {"registered_country": {"iso_code": "US"}},
            NOTHING,
            id="registered-country-is-not-where-the-reader-is",
        ),
        pytest.param({"subdivisions": [{"iso_code": "43"}]}, NOTHING, id="region-without-country"),
        pytest.param(
            {"country": {"iso_code": "GB"}, "subdivisions": "ENG"},
            Fields("GB"),
            id="subdivisions-not-a-list",
        ),
        pytest.param(
            {
                "country": {"iso_code": "GB"},
                "subdivisions": [
                    None,
                    5,
                    {"iso_code": 7},
                    {"iso_code": "E N"},
                    {"iso_code": "ENGL"},
                    {"iso_code": ""},
                    {"iso_code": "GBR-ENG"},
                    {"iso_code": "ÉN"},
                    {"iso_code": "ENG"},
                ],
            },
            Fields("GB", ("GB-ENG",)),
            id="bad-subdivisions-skipped",
        ),
    ],
)
def test_odd_records_are_ignored_not_raised_on(record: object, expected: Fields) -> None:
    assert read_record(record) == expected


@pytest.mark.parametrize(
    "asn",
    [-1, 0, True, 2**32, 1.5, "", "AS", "ASx", "abc", "AS-1", "AS99999999999", "١٢٣", [1], {}],
)
def test_a_bad_as_number_is_ignored(asn: object) -> None:
    assert read_record({"country_code": "UA", "asn": asn}) == Fields("UA")
    assert read_record({"traits": {"autonomous_system_number": asn}}) == NOTHING


@pytest.mark.parametrize(
    ("asn", "expected"), [("as64500", 64500), ("64500", 64500), (2**32 - 1, 2**32 - 1)]
)
def test_as_numbers_are_read_from_strings_and_ints(asn: object, expected: int) -> None:
    assert read_record({"asn": asn}) == Fields(asn=expected)


def test_enterprise_traits_win_over_a_top_level_asn() -> None:
    record = {"traits": {"autonomous_system_number": 1}, "autonomous_system_number": 2}
    assert read_record(record).asn == 1


def test_a_record_with_nothing_usable_is_the_shared_empty_fields() -> None:
    assert read_record({"ip": "::1"}) is NOTHING
    assert read_record({"country_code": "UA"}) is read_record({"country_code": "UA"})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "country",
                    "iso_code",
                    "subdivisions",
                    "traits",
                    "autonomous_system_number",
                    "country_code",
                    "asn",
                    "names",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(JSON)
def test_any_record_shape_gives_well_formed_fields(record: object) -> None:
    fields = read_record(record)
    assert fields.country is None or (len(fields.country) == 2 and fields.country.isupper())
    assert all(len(region.split("-")[0]) == 2 for region in fields.regions)
    assert fields.asn is None or 0 < fields.asn < 2**32
