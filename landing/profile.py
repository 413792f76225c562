"""Every rate of the sample zone in one place: behaviour, seasonality and delivery quirks.

The README's table states these numbers and `tests/landing` checks that generated zones
show them, so change a rate here and nowhere else. Shares are fractions (0.01 = 1 %).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    # --- Who visits
    anonymous_visitors_per_user: float = 2.0  # cookie-only visitors in the pool, per account
    owner_share: float = 0.04  # accounts that post listings (hosts, agencies, restaurants)
    ownerless_listing_share: float = 0.1  # listings imported from partners, no owner account
    owner_phone_share: float = 0.9  # owners' listings showing the owner's phone
    owner_email_share: float = 0.8  # ... and e-mail address
    partner_phone_share: float = 0.6  # partner imports showing a landline
    partner_email_share: float = 0.3  # ... and the partners' booking address
    advert_without_price_share: float = 0.5
    popularity_sigma: float = 0.8  # log-normal spread of listings' appeal
    activity_sigma: float = 1.0  # log-normal spread of subjects' number of sessions
    listings_per_user: float = 0.2  # catalog size = users x this, clamped to the two below
    listings_min: int = 100
    listings_max: int = 5000
    segment_shares: dict[str, float] = field(
        default_factory=lambda: {
            "ski": 0.2,  # Shymbulak/Medeu chalets, ski passes, car rental
            "family": 0.25,  # Kok Tobe, attractions, apartments, restaurants
            "business": 0.2,  # city hotels, car rental, restaurants
            "budget": 0.15,  # guesthouses, Charyn/Kolsai tours
            "nature": 0.2,  # Big Almaty Lake, Charyn, Kolsai
        }
    )
    app_shares: dict[str, float] = field(
        default_factory=lambda: {"web": 0.55, "ios": 0.2, "android": 0.25}
    )
    ipv6_home_share: float = 0.12  # subjects whose home connection is IPv6
    gpc_true_share: float = 0.08  # web subjects whose browser sends Sec-GPC: 1 (gpc true)
    gpc_false_share: float = 0.03  # web subjects whose browser reports gpc false
    null_user_agent_share: float = 0.005  # web subjects behind a privacy tool that drops the UA
    zeroed_ad_id_share: float = 0.25  # app subjects with ad tracking off: all-zero device_id
    geo_app_share: float = 0.35  # app subjects whose app sends device location (geo)
    geo_granted_share: float = 0.6  # of those, share that recorded a geolocation grant
    geo_fix_share: float = 0.85  # events of such subjects that carry a location fix
    favorites_per_subject: int = 12  # listings a subject keeps coming back to
    favorite_pick_share: float = 0.6  # listing picks from the subject's favourites
    favorite_decay: float = 0.8  # the k-th favourite is picked in proportion to 1/k^decay
    segment_pick_share: float = 0.3  # picks from the segment's seasonal taste (rest: popular)

    # --- Sessions and events
    anonymous_session_share: float = 0.38  # human sessions of cookie-only visitors
    bot_session_share: float = 0.03  # sessions of crawlers (Googlebot, YandexBot, ...)
    logged_out_share: float = 0.25  # sessions of account holders who are not logged in
    mean_extra_steps: float = 3.0  # steps after the landing page, geometric
    bot_mean_steps: float = 12.0  # crawler requests per session, geometric
    bot_step_shares: dict[str, float] = field(
        default_factory=lambda: {"page": 0.4, "view": 0.6}  # crawler requests after the first
    )
    step_gap_s: float = 50.0  # mean seconds between steps (exponential, at least 1 s)
    action_gap_s: float = 12.0  # mean seconds from viewing a listing to acting on it
    bot_gap_s: float = 3.0  # mean seconds between crawler requests
    mobile_network_share: float = 0.55  # sessions of phone users on the carrier's shared NAT
    office_network_share: float = 0.1  # desktop sessions from another (work) network
    ipv4_mapped_share: float = 0.02  # IPv4 sessions logged as ::ffff:a.b.c.d
    forwarded_share: float = 0.04  # sessions through proxies: x_forwarded_for set, ip = proxy
    forwarded_port_share: float = 0.2  # of those, chains whose client entry carries a port
    two_proxies_share: float = 0.5  # of those, chains through two proxies (else one)
    pii_url_share: float = 0.01  # landing pages with ?email= or &phone= in the URL
    pii_url_email_share: float = 0.5  # of those, an e-mail address (else a phone number)
    landing_section_share: float = 0.55  # landing pages on the section of the visitor's interest
    landing_home_share: float = 0.35  # landing on the home page (the rest: other pages)
    page_section_share: float = 0.8  # later section pages on the interest (the rest: other)
    step_shares: dict[str, float] = field(
        default_factory=lambda: {
            "page": 0.20,  # a section page
            "view": 0.30,  # a listing page
            "search_click": 0.12,  # a search and a click on one of its results
            "search_only": 0.05,  # a search without a click
            "favorite": 0.06,
            "contact": 0.04,  # contact_request
            "rental": 0.02,  # rental_request (accommodation and cars)
            "booking": 0.02,  # booking, amount_kzt = price x nights/days/persons
            "ad": 0.15,  # ad_impression of an advert
            "ad_click": 0.02,  # ad_impression then ad_click
        }
    )
    max_units: int = 7  # nights, days or persons of a booking, 1..this (geometric)
    units_p: float = 0.45  # the geometric's parameter: mostly one or two
    promotion_share: float = 0.6  # promotion packages an owned listing gets per 90 days (Poisson)

    # --- Searches
    zero_result_share: float = 0.06  # searches for what the site lacks, or typos
    pii_query_share: float = 0.03  # searches with a phone, e-mail, IIN or card number typed in
    pii_alone_share: float = 0.5  # of those, the personal data alone (no results)
    card_share: float = 0.03  # of the personal data, a Luhn-valid card number
    category_filter_share: float = 0.6
    zero_result_category_share: float = 0.3  # searches that find nothing, with a category
    district_filter_share: float = 0.35
    dates_filter_share: float = 0.5  # of accommodation and car searches
    guests_filter_share: float = 0.4  # of accommodation and tour searches
    price_filter_share: float = 0.2
    price_min_share: float = 0.6  # of price filters, with a minimum (all have a maximum)
    guests_shares: tuple[float, ...] = (0.15, 0.45, 0.15, 0.15, 0.05, 0.05)  # 1..6 guests
    results_per_page: int = 10
    query_language_mix: dict[str, dict[str, float]] = field(
        default_factory=lambda: {  # site language -> language of the typed query
            "ru": {"ru": 0.85, "kk": 0.05, "en": 0.1},
            "kk": {"ru": 0.45, "kk": 0.55, "en": 0.0},
            "en": {"ru": 0.1, "kk": 0.0, "en": 0.9},
        }
    )

    # --- Time
    hour_weights: tuple[float, ...] = (  # local hour 0..23 in Asia/Almaty
        2.0, 1.2, 0.7, 0.4, 0.3, 0.4, 0.9, 1.8, 3.0, 4.0, 4.8, 5.0,
        5.2, 5.0, 4.8, 4.8, 5.0, 5.3, 5.8, 6.5, 7.2, 7.4, 6.0, 4.0,
    )  # fmt: skip
    weekday_factor: tuple[float, ...] = (0.95, 0.93, 0.95, 0.98, 1.05, 1.1, 1.04)  # Mon..Sun
    month_factor: tuple[float, ...] = (  # Jan..Dec, site traffic
        1.05, 1.0, 0.9, 0.8, 0.95, 1.15, 1.25, 1.2, 1.0, 0.85, 0.85, 1.05,
    )  # fmt: skip
    season_factor: dict[str, tuple[float, ...]] = field(
        default_factory=lambda: {  # Jan..Dec interest in listings of each season class
            "all": (1.0,) * 12,
            "ski": (2.6, 2.5, 1.6, 0.5, 0.3, 0.3, 0.35, 0.35, 0.3, 0.4, 1.0, 2.3),
            "mountain": (1.6, 1.5, 1.1, 0.7, 0.8, 1.2, 1.4, 1.4, 1.0, 0.7, 0.8, 1.4),
            "summer": (0.3, 0.3, 0.5, 0.9, 1.4, 2.2, 2.6, 2.5, 1.7, 0.9, 0.4, 0.3),
        }
    )
    segment_season: dict[str, str] = field(
        default_factory=lambda: {"ski": "ski", "nature": "summer"}
    )  # segments whose activity follows a season (half steady, half seasonal)

    # --- Delivery (events and searches)
    duplicate_share: float = 0.005  # records delivered twice
    duplicate_places: dict[str, float] = field(
        default_factory=lambda: {"same_file": 0.4, "other_file": 0.3, "next_day": 0.3}
    )
    late_share: float = 0.02  # app events delivered 1+ days late (phone was offline)
    late_mean_days: float = 2.0  # mean delay of late events, geometric
    clock_skew_share: float = 0.001  # client events stamped minutes after their day ended
    clock_skew_max_s: int = 600
    malformed_share: dict[str, float] = field(
        default_factory=lambda: {  # of event and search lines
            "broken_json": 0.001,  # a truncated partial write, retried in full on the next line
            "missing_field": 0.0005,
            "wrong_type": 0.0003,
            "unknown_event_type": 0.0005,  # events only
            "bad_timestamp": 0.0005,
            "implausible_timestamp": 0.0002,  # a placeholder year, or stamped long before
            "bad_ip": 0.0005,
        }
    )
    max_lines_per_file: int = 250_000
    gzip_level: int = 1  # speed over size; producers compress lightly

    # --- Privacy feeds and catalog
    history_years: int = 4  # accounts open from this many years before the start
    signup_in_range_share: float = 0.05  # accounts opened during the generated days
    terminated_long_ago_share: float = 0.04  # terminated more than three years before the start
    terminated_before_share: float = 0.05  # terminated within the three years before the start
    terminated_in_range_share: float = 0.01  # terminated during the generated days
    reopened_share: float = 0.3  # of terminated accounts, reopened later
    marketing_opt_out_share: float = 0.2  # accounts that refused marketing at sign-up
    opt_out_with_cookie_share: float = 0.5  # of those, recorded with the anonymous_id too
    banner_opt_out_share: float = 0.08  # cookie-only visitors who opted out in the banner
    banner_scope_shares: dict[str, float] = field(
        default_factory=lambda: {"analytics": 0.4, "marketing": 0.4, "all": 0.2}
    )
    consent_changes_per_day: float = 0.002  # consent changes per subject and day in range
    consent_grant_share: float = 0.25  # changes in range that grant (the rest opt out)
    regrant_share: float = 0.3  # of opt-outs in range, granted again later
    consent_subject_shares: dict[str, float] = field(
        default_factory=lambda: {  # who a change in range is recorded for
            "user": 0.35,  # the account alone
            "user_and_cookie": 0.25,  # the account and its anonymous_id
            "visitor": 0.25,  # a cookie-only visitor
            "user_cookie": 0.15,  # an account holder's anonymous_id, logged out
        }
    )
    consent_scope_shares: dict[str, float] = field(
        default_factory=lambda: {
            "analytics": 0.2,
            "personalization": 0.2,
            "marketing": 0.35,
            "geolocation": 0.15,
            "all": 0.1,
        }
    )
    erasure_per_user_day: float = (
        0.00003  # formal deletion requests per account and day (~1 %/year)
    )
    erasure_kinds: dict[str, float] = field(
        default_factory=lambda: {"free": 0.5, "settled": 0.3, "unsettled": 0.2}
    )  # obligations none / settled later / still open
    price_change_share: float = 0.5  # listings whose price changes; 1-3 changes each
    deleted_share: float = 0.08  # listings removed by the poster or a moderator
    append_duplicate_share: float = 0.005  # privacy/catalog lines delivered twice
    append_junk_share: float = 0.002  # privacy/catalog partial writes, retried in full


PROFILE = Profile()
