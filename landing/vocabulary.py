# ruff: noqa: RUF001  (Russian and Kazakh text: Cyrillic letters are meant)
"""What the sample zone talks about: Almaty's places, listing kinds, queries, browsers, networks.

Only words and places live here; how often each behaviour happens is in `landing.profile`.
Coordinates are real (to ~100 m); IP prefixes are those of Kazakh and foreign networks of
the kind the site sees, used only to make addresses look like traffic.
"""

from __future__ import annotations

from dataclasses import dataclass

SEGMENTS: tuple[str, ...] = ("ski", "family", "business", "budget", "nature")
LANGUAGES: tuple[str, ...] = ("ru", "kk", "en")


@dataclass(frozen=True)
class Place:
    """Where listings of a kind cluster; lat/lon None for tours with no single location."""

    district: str
    lat: float | None
    lon: float | None
    weight: float


@dataclass(frozen=True)
class ListingKind:
    """A kind of listing: its category, places, prices, titles, audience and how it is searched."""

    name: str
    category: str
    share: float  # of the catalog
    places: tuple[Place, ...]
    spread_km: float  # listings scatter this far around their place
    price_kzt: tuple[int, int] | None  # typical price range; None: no price
    price_step: int  # prices are rounded to this
    unit: str  # what the price is for; "" when it cannot be booked
    season: str  # a key of Profile.season_factor
    section: str  # the site section listing this kind
    titles: tuple[str, ...]  # templates over {ru}, {en}, {car}, {n}, {street}
    affinity: dict[str, float]  # segment -> interest
    queries: dict[str, tuple[str, ...]]  # language -> typical searches


KINDS: tuple[ListingKind, ...] = (
    ListingKind(
        name="hotel_city",
        category="accommodation",
        share=0.14,
        places=(
            Place("Almaly", 43.2565, 76.9285, 0.45),
            Place("Bostandyk", 43.2180, 76.9280, 0.33),
            Place("Medeu", 43.2420, 76.9570, 0.10),
            Place("Zhetysu", 43.2900, 76.9350, 0.06),
            Place("Auezov", 43.2250, 76.8500, 0.06),
        ),
        spread_km=0.9,
        price_kzt=(28_000, 85_000),
        price_step=1_000,
        unit="night",
        season="all",
        section="hotels",
        titles=(
            "Отель «{ru}»",
            "Гостиница «{ru}»",
            "{en} Hotel",
            "{en} Boutique Hotel",
            "Hotel {en} Almaty",
        ),
        affinity={"business": 4.0, "family": 1.0, "ski": 0.3, "nature": 0.2, "budget": 0.1},
        queries={
            "ru": (
                "гостиница алматы",
                "отель в центре алматы",
                "отель недорого в центре",
                "бизнес отель алматы",
                "отель с завтраком",
                "гостиница в алматы с парковкой",
            ),
            "kk": ("алматы қонақ үйі", "орталықтағы қонақ үй", "қонақ үй таңғы ас"),
            "en": ("hotel almaty", "hotels in almaty city center", "business hotel almaty"),
        },
    ),
    ListingKind(
        name="hotel_mountain",
        category="accommodation",
        share=0.05,
        places=(
            Place("Medeu", 43.1575, 77.0590, 0.5),
            Place("Shymbulak", 43.1280, 77.0810, 0.5),
        ),
        spread_km=0.6,
        price_kzt=(45_000, 160_000),
        price_step=1_000,
        unit="night",
        season="mountain",
        section="hotels/mountains",
        titles=(
            "{en} Mountain Resort",
            "Отель «{ru}» на Медеу",
            "Гостиница «{ru}» у Шымбулака",
            "{en} Lodge",
        ),
        affinity={"ski": 3.0, "nature": 0.7, "family": 0.3, "business": 0.2},
        queries={
            "ru": ("гостиница медеу", "отель шымбулак", "гостиница в горах алматы"),
            "kk": ("шымбұлақ қонақ үй", "медеу қонақ үйі"),
            "en": ("hotel shymbulak", "medeu hotel", "mountain hotel almaty"),
        },
    ),
    ListingKind(
        name="chalet",
        category="accommodation",
        share=0.04,
        places=(
            Place("Shymbulak", 43.1300, 77.0750, 0.5),
            Place("Medeu", 43.1650, 77.0500, 0.5),
        ),
        spread_km=0.7,
        price_kzt=(80_000, 260_000),
        price_step=5_000,
        unit="night",
        season="ski",
        section="chalets",
        titles=(
            "Шале «{ru}»",
            "{en} Chalet",
            "Коттедж «{ru}» в горах",
            "Chalet {en} near Shymbulak",
        ),
        affinity={"ski": 4.0, "nature": 0.5, "family": 0.2},
        queries={
            "ru": ("шале шымбулак", "коттедж медеу", "шале в горах"),
            "kk": ("шымбұлақ шале", "таудағы демалыс үйі"),
            "en": ("chalet shymbulak", "ski chalet almaty"),
        },
    ),
    ListingKind(
        name="guesthouse",
        category="accommodation",
        share=0.09,
        places=(
            Place("Almaly", 43.2600, 76.9400, 0.3),
            Place("Zhetysu", 43.3000, 76.9300, 0.2),
            Place("Auezov", 43.2300, 76.8450, 0.15),
            Place("Turksib", 43.3450, 76.9750, 0.15),
            Place("Alatau", 43.2800, 76.8300, 0.1),
            Place("Charyn", 43.3480, 79.0600, 0.1),
        ),
        spread_km=1.2,
        price_kzt=(7_000, 22_000),
        price_step=500,
        unit="night",
        season="all",
        section="guesthouses",
        titles=("Гостевой дом «{ru}»", "Хостел «{ru}»", "{en} Hostel", "{en} Guest House"),
        affinity={"budget": 4.0, "nature": 1.0, "family": 0.2},
        queries={
            "ru": ("хостел алматы", "гостевой дом", "недорого переночевать алматы"),
            "kk": ("арзан хостел", "қонақ үй арзан"),
            "en": ("hostel almaty", "guesthouse almaty cheap"),
        },
    ),
    ListingKind(
        name="apartment",
        category="accommodation",
        share=0.14,
        places=(
            Place("Almaly", 43.2550, 76.9300, 0.4),
            Place("Bostandyk", 43.2150, 76.9050, 0.35),
            Place("Medeu", 43.2400, 76.9600, 0.15),
            Place("Auezov", 43.2300, 76.8500, 0.1),
        ),
        spread_km=1.2,
        price_kzt=(14_000, 45_000),
        price_step=500,
        unit="night",
        season="all",
        section="apartments",
        titles=(
            "Квартира посуточно, {street}",
            "Апартаменты «{ru}»",
            "{n}-room apartment, {en} Residence",
            "Студия у метро, {street}",
        ),
        affinity={"family": 3.0, "business": 1.0, "budget": 0.5, "ski": 0.3},
        queries={
            "ru": (
                "квартира посуточно алматы",
                "апартаменты посуточно",
                "квартира на сутки с видом на горы",
            ),
            "kk": ("пәтер тәулікке", "пәтер жалға алматы"),
            "en": ("apartment almaty", "apartment rent daily almaty"),
        },
    ),
    ListingKind(
        name="car_rental",
        category="car_rental",
        share=0.09,
        places=(
            Place("Turksib", 43.3520, 77.0400, 0.4),
            Place("Almaly", 43.2600, 76.9300, 0.3),
            Place("Bostandyk", 43.2200, 76.9000, 0.3),
        ),
        spread_km=1.0,
        price_kzt=(14_000, 70_000),
        price_step=1_000,
        unit="day",
        season="all",
        section="car-rental",
        titles=(
            "Прокат авто «{ru}»",
            "{en} Car Rental",
            "Аренда {car} без водителя",
            "Rent {car}, airport delivery",
        ),
        affinity={"business": 2.5, "ski": 1.5, "nature": 1.0, "family": 0.5},
        queries={
            "ru": ("аренда авто алматы", "прокат машин аэропорт", "аренда машины без водителя"),
            "kk": ("көлік жалға алу", "әуежайдан көлік жалға"),
            "en": ("car rental almaty airport", "rent a car almaty"),
        },
    ),
    ListingKind(
        name="tour_charyn",
        category="tour",
        share=0.05,
        places=(Place("Charyn", 43.3530, 79.0810, 1.0),),
        spread_km=2.0,
        price_kzt=(12_000, 35_000),
        price_step=500,
        unit="person",
        season="summer",
        section="tours/charyn-canyon",
        titles=(
            "Тур на Чарынский каньон",
            "Charyn Canyon day tour",
            "Чарын и Долина замков",
            "Charyn Canyon & Black Canyon",
            "Шарын шатқалына тур",
        ),
        affinity={"nature": 3.0, "budget": 2.5, "family": 0.3},
        queries={
            "ru": ("тур на чарын", "чарынский каньон экскурсия", "чарын из алматы"),
            "kk": ("шарын шатқалы тур", "шарын шатқалына экскурсия"),
            "en": ("charyn canyon tour", "charyn canyon day trip"),
        },
    ),
    ListingKind(
        name="tour_kolsai",
        category="tour",
        share=0.04,
        places=(Place("Charyn", None, None, 1.0),),
        spread_km=0.0,
        price_kzt=(25_000, 70_000),
        price_step=1_000,
        unit="person",
        season="summer",
        section="tours/kolsai-lakes",
        titles=(
            "Кольсай и Каинды, 2 дня",
            "Kolsai Lakes & Kaindy tour",
            "Көлсай көлдері мен Қайыңды",
            "Charyn, Kolsai and Kaindy in 3 days",
        ),
        affinity={"nature": 3.0, "budget": 2.0},
        queries={
            "ru": ("кольсай тур", "кольсайские озера и каинды", "тур кольсай 2 дня"),
            "kk": ("Көлсай көлдері тур", "қайыңды көлі"),
            "en": ("kolsai lakes tour", "kaindy lake tour"),
        },
    ),
    ListingKind(
        name="tour_big_almaty_lake",
        category="tour",
        share=0.04,
        places=(Place("Bostandyk", 43.0506, 76.9850, 1.0),),
        spread_km=0.5,
        price_kzt=(8_000, 25_000),
        price_step=500,
        unit="person",
        season="summer",
        section="tours/big-almaty-lake",
        titles=(
            "Большое Алматинское озеро",
            "Big Almaty Lake tour",
            "БАО и обсерватория",
            "Үлкен Алматы көліне экскурсия",
        ),
        affinity={"nature": 3.0, "family": 1.0, "budget": 1.0},
        queries={
            "ru": ("большое алматинское озеро", "бао экскурсия", "тур на бао"),
            "kk": ("үлкен алматы көлі", "үлкен алматы көліне тур"),
            "en": ("big almaty lake tour", "big almaty lake"),
        },
    ),
    ListingKind(
        name="ski_pass",
        category="attraction",
        share=0.03,
        places=(
            Place("Shymbulak", 43.1280, 77.0810, 0.7),
            Place("Medeu", 43.1575, 77.0590, 0.3),
        ),
        spread_km=0.3,
        price_kzt=(9_000, 30_000),
        price_step=500,
        unit="person",
        season="ski",
        section="places/shymbulak",
        titles=(
            "Ски-пасс Шымбулак, {n} дн.",
            "Shymbulak ski pass, {n} days",
            "Каток Медеу: вход",
            "Medeu ice rink ticket",
            "Ski school Shymbulak",
        ),
        affinity={"ski": 4.0, "family": 0.5},
        queries={
            "ru": ("ски пасс шымбулак", "шымбулак цены", "каток медеу билет"),
            "kk": ("шымбұлақ шаңғы", "медеу мұз айдыны"),
            "en": ("shymbulak ski pass", "medeu ice rink tickets"),
        },
    ),
    ListingKind(
        name="attraction_city",
        category="attraction",
        share=0.08,
        places=(
            Place("Medeu", 43.2330, 76.9760, 0.35),
            Place("Almaly", 43.2590, 76.9530, 0.4),
            Place("Bostandyk", 43.2190, 76.9120, 0.25),
        ),
        spread_km=0.8,
        price_kzt=(2_000, 9_000),
        price_step=500,
        unit="person",
        season="all",
        section="attractions",
        titles=(
            "Канатная дорога Кок-Тобе",
            "Kok Tobe cable car",
            "Вознесенский собор: экскурсия",
            "Zenkov Cathedral walking tour",
            "Центральный государственный музей",
            "Алматинский зоопарк",
            "Главный ботанический сад",
            "Прогулка по Арбату",
            "Almaty city tour",
            "Green Bazaar food tour",
        ),
        affinity={"family": 3.0, "budget": 0.5, "business": 0.3, "ski": 0.3},
        queries={
            "ru": (
                "кок тобе канатная дорога",
                "кок-тобе билеты",
                "что посмотреть в алматы",
                "вознесенский собор",
            ),
            "kk": ("көктөбе", "көктөбе аспалы жолы", "алматыда не көруге болады"),
            "en": ("kok tobe cable car", "things to do in almaty", "zenkov cathedral"),
        },
    ),
    ListingKind(
        name="restaurant",
        category="restaurant",
        share=0.13,
        places=(
            Place("Almaly", 43.2600, 76.9400, 0.4),
            Place("Bostandyk", 43.2200, 76.9200, 0.3),
            Place("Medeu", 43.2380, 76.9600, 0.2),
            Place("Zhetysu", 43.2950, 76.9300, 0.1),
        ),
        spread_km=1.0,
        price_kzt=(5_000, 25_000),
        price_step=500,
        unit="",
        season="all",
        section="restaurants",
        titles=(
            "Ресторан «{ru}»",
            "Кафе «{ru}»",
            "{en} Coffee",
            "Чайхана «{ru}»",
            "{en} Grill",
            "Dastarkhan {en}",
        ),
        affinity={"business": 2.5, "family": 2.0, "ski": 0.5, "budget": 0.3},
        queries={
            "ru": ("ресторан казахской кухни", "кафе с верандой", "бешбармак где поесть"),
            "kk": ("мейрамхана", "қазақ ұлттық тағамдары", "бешбармақ"),
            "en": ("restaurant almaty", "kazakh food almaty", "best restaurants almaty"),
        },
    ),
    ListingKind(
        name="advert",
        category="advert",
        share=0.08,
        places=(
            Place("Almaly", 43.2580, 76.9350, 0.3),
            Place("Bostandyk", 43.2200, 76.9100, 0.2),
            Place("Medeu", 43.2400, 76.9650, 0.2),
            Place("Shymbulak", 43.1290, 77.0800, 0.1),
            Place("Nauryzbay", 43.1900, 76.7900, 0.1),
            Place("Turksib", 43.3400, 76.9700, 0.1),
        ),
        spread_km=1.5,
        price_kzt=(3_000, 20_000),
        price_step=500,
        unit="",
        season="all",
        section="offers",
        titles=(
            "Прокат лыж и сноубордов",
            "Ski & snowboard rental",
            "SIM-карта для туристов",
            "Трансфер из аэропорта",
            "Airport transfer",
            "Фотосессия в горах",
            "Конные прогулки",
            "Horse riding in the mountains",
            "Гид-переводчик",
            "Страховка для путешественников",
        ),
        affinity={},
        queries={},
    ),
)

TITLE_NAMES_RU: tuple[str, ...] = (
    "Алатау",
    "Достык",
    "Тау Самал",
    "Жибек Жолы",
    "Арбат",
    "Эдельвейс",
    "Тянь-Шань",
    "Снежный барс",
    "Номад",
    "Апорт",
    "Алма",
    "Тулпар",
    "Байтерек",
    "Көктем",
)
TITLE_NAMES_EN: tuple[str, ...] = (
    "Alatau",
    "Dostyk",
    "Tau Samal",
    "Silk Way",
    "Arbat",
    "Edelweiss",
    "Tien Shan",
    "Snow Leopard",
    "Nomad",
    "Aport",
    "Alma",
    "Mountain View",
    "Tulpar",
    "Steppe",
)
CARS: tuple[str, ...] = (
    "Toyota Camry",
    "Hyundai Accent",
    "Kia Rio",
    "Toyota Land Cruiser Prado",
    "Chevrolet Cobalt",
    "Lexus RX",
    "Hyundai Tucson",
)
STREETS: tuple[str, ...] = (
    "пр. Абая",
    "ул. Панфилова",
    "пр. Достык",
    "ул. Толе би",
    "пр. Аль-Фараби",
    "ул. Жибек Жолы",
    "мкр. Самал-2",
    "ул. Кабанбай батыра",
)

# Searches for things the site does not list, and typos its search cannot match.
ZERO_RESULT_QUERIES: dict[str, tuple[str, ...]] = {
    "ru": ("яхта", "казино", "диснейленд", "боровое отель", "туркестан тур", "шымбулк", "кольсаи"),
    "kk": ("яхта жалға", "бурабай демалыс", "түркістан тур", "шымбулак шангы"),
    "en": ("yacht", "casino almaty", "burabay resort", "hotl medeo", "charin kanyon"),
}

# Personal data people type into the search box (the digits are drawn per search).
KZ_MOBILE_PREFIXES: tuple[str, ...] = (
    "700",
    "701",
    "702",
    "705",
    "707",
    "708",
    "747",
    "771",
    "775",
    "776",
    "777",
    "778",
)
FIRST_NAMES: tuple[str, ...] = (
    "aigerim",
    "aliya",
    "dana",
    "madina",
    "aruzhan",
    "dinara",
    "asel",
    "saule",
    "yerlan",
    "nurlan",
    "daniyar",
    "arman",
    "askar",
    "timur",
    "sergey",
    "olga",
    "irina",
    "dmitry",
)
SURNAMES: tuple[str, ...] = (
    "nurlanova",
    "seitkali",
    "akhmetov",
    "ospanov",
    "ivanova",
    "kim",
    "tsoy",
    "zhakupov",
    "bekova",
    "abenov",
    "serikbayev",
    "li",
)
EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("mail.ru", 0.35),
    ("gmail.com", 0.35),
    ("inbox.kz", 0.08),
    ("yandex.kz", 0.07),
    ("list.ru", 0.05),
    ("icloud.com", 0.05),
    ("outlook.com", 0.05),
)

# Locales with the share of subjects using them; None: no Accept-Language sent.
LOCALES: tuple[tuple[str | None, float], ...] = (
    ("ru-KZ", 0.58),
    ("kk-KZ", 0.17),
    ("en-US", 0.08),
    ("ru-RU", 0.06),
    ("en-GB", 0.03),
    ("de-DE", 0.02),
    ("tr-TR", 0.02),
    ("zh-CN", 0.02),
    ("ko-KR", 0.01),
    (None, 0.01),
)


def language_of(locale: str | None) -> str:
    """The site language a visitor with `locale` reads: Russian, Kazakh or English."""
    if locale is None or locale.startswith("ru"):
        return "ru"
    return "kk" if locale.startswith("kk") else "en"


def network_of(locale: str | None) -> str:
    """Where a visitor's home connection is: Kazakhstan, Russia or elsewhere."""
    if locale in (None, "ru-KZ", "kk-KZ", "en-US"):
        return "kz"
    return "ru" if locale == "ru-RU" else "abroad"


# First two octets of home connections, by network.
HOME_PREFIXES_V4: dict[str, tuple[str, ...]] = {
    "kz": (
        "95.56",
        "95.57",
        "95.58",
        "95.59",
        "2.132",
        "2.133",
        "2.134",
        "2.135",
        "92.46",
        "92.47",
        "178.88",
        "178.89",
        "178.91",
        "37.99",
        "89.218",
        "212.154",
        "82.200",
        "5.34",
    ),
    "ru": ("178.64", "178.65", "95.24", "95.25", "5.18", "93.80", "109.252"),
    "abroad": ("85.214", "73.162", "121.134", "112.96", "88.230", "81.2", "176.12"),
}
HOME_PREFIXES_V6: tuple[str, ...] = ("2a03:32c0", "2a00:5da0", "2a0d:b201", "2a02:2698")
# Mobile carriers put many subscribers behind few addresses (carrier-grade NAT).
MOBILE_PREFIXES_V4: tuple[str, ...] = ("37.151", "5.76", "5.77", "147.30", "2.72", "2.73")
# Proxies that forward requests: corporate gateways, a CDN, the site's own load balancers.
PROXY_PREFIXES_V4: tuple[str, ...] = ("185.22", "91.185", "162.158", "172.70", "10.0", "10.12")

_CHROME = "Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0{tail}"
_WINDOWS = "Windows NT 10.0; Win64; x64"
_MAC = "Macintosh; Intel Mac OS X 10_15_7"
_IPHONE_WEBKIT = (
    "Mozilla/5.0 ({device}; CPU {os} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
)


def _web_user_agents() -> tuple[tuple[str, float], ...]:
    agents: list[tuple[str, float]] = []
    for v in (124, 126, 128, 130, 131):
        agents.append((_CHROME.format(os=_WINDOWS, v=v, tail=" Safari/537.36"), 3.0))
        agents.append((_CHROME.format(os=_MAC, v=v, tail=" Safari/537.36"), 0.8))
        agents.append((_CHROME.format(os=_WINDOWS, v=v, tail=f" Safari/537.36 Edg/{v}.0.0.0"), 0.6))
        agents.append(
            (_CHROME.format(os="Linux; Android 10; K", v=v, tail=" Mobile Safari/537.36"), 3.5)
        )
        agents.append(
            (_CHROME.format(os="Linux; Android 13; SM-X200", v=v, tail=" Safari/537.36"), 0.3)
        )
    for v in (125, 128, 132):
        agents.append((f"Mozilla/5.0 ({_WINDOWS}; rv:{v}.0) Gecko/20100101 Firefox/{v}.0", 0.8))
        agents.append(
            (f"Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0", 0.1)
        )
    for ya in ("24.4.0.0", "24.7.0.0"):
        agents.append(
            (_CHROME.format(os=_WINDOWS, v=122, tail=f" YaBrowser/{ya} Safari/537.36"), 1.0)
        )
        agents.append(
            (
                _CHROME.format(
                    os="Linux; arm_64; Android 13; SM-A536E",
                    v=122,
                    tail=f" YaBrowser/{ya} SA/3 Mobile Safari/537.36",
                ),
                0.8,
            )
        )
    agents.append(
        (
            "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-A546E) AppleWebKit/537.36 "
            "(KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
            0.7,
        )
    )
    for ios in ("16_7_10", "17_5", "17_6_1", "18_1"):
        version = ".".join(ios.split("_")[:2])
        safari_tail = f" Version/{version} Mobile/15E148 Safari/604.1"
        agents.append(
            (_IPHONE_WEBKIT.format(device="iPhone", os=f"iPhone OS {ios}") + safari_tail, 2.0)
        )
        agents.append((_IPHONE_WEBKIT.format(device="iPad", os=f"OS {ios}") + safari_tail, 0.3))
        agents.append(
            (
                _IPHONE_WEBKIT.format(device="iPhone", os=f"iPhone OS {ios}")
                + " CriOS/126.0.6478.153 Mobile/15E148 Safari/604.1",
                0.3,
            )
        )
        agents.append(
            (
                _IPHONE_WEBKIT.format(device="iPhone", os=f"iPhone OS {ios}")
                + f" Mobile/15E148 Instagram 337.0.0.0.77 (iPhone14,5; iOS {ios}; ru_RU; ru;"
                " scale=3.00; 1170x2532; 614385955)",
                0.3,
            )
        )
    for version in ("16.6", "17.4.1", "17.6", "18.1"):
        agents.append(
            (
                f"Mozilla/5.0 ({_MAC}) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                f"Version/{version} Safari/605.1.15",
                0.6,
            )
        )
    return tuple(agents)


WEB_USER_AGENTS: tuple[tuple[str, float], ...] = _web_user_agents()
IOS_APP_USER_AGENTS: tuple[tuple[str, float], ...] = tuple(
    (f"VisitAlmaty/{app} ({device}; iOS {ios}; Scale/{scale})", weight)
    for app, app_weight in (("4.2.0", 0.6), ("4.1.3", 0.3), ("4.3.1", 0.1))
    for ios, ios_weight in (("16.7", 0.15), ("17.5", 0.4), ("17.6", 0.25), ("18.1", 0.2))
    for device, scale, weight in (
        ("iPhone", "3.00", app_weight * ios_weight * 0.9),
        ("iPad", "2.00", app_weight * ios_weight * 0.1),
    )
)
_ANDROID_DEVICES = (
    ("14", "SM-S918B", "UP1A.231005.007", 0.15),
    ("14", "SM-A546E", "UP1A.231005.007", 0.2),
    ("13", "23021RAA2Y", "TKQ1.221114.001", 0.2),
    ("13", "M2101K6G", "TKQ1.221013.002", 0.1),
    ("14", "Pixel 7", "AP2A.240805.005", 0.05),
    ("12", "SM-A127F", "SP1A.210812.016", 0.15),
    ("11", "Redmi Note 8 Pro", "RP1A.200720.011", 0.1),
    ("13", "SM-X200", "TP1A.220624.014", 0.05),
)
ANDROID_APP_USER_AGENTS: tuple[tuple[str, float], ...] = tuple(
    (f"Dalvik/2.1.0 (Linux; U; Android {android}; {model} Build/{build})", weight)
    for android, model, build, weight in _ANDROID_DEVICES
)


@dataclass(frozen=True)
class Bot:
    """A crawler: what it calls itself and the /24 networks it crawls from."""

    user_agent: str | None
    networks: tuple[str, ...]
    weight: float


BOTS: tuple[Bot, ...] = (
    Bot(
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ("66.249.66", "66.249.79"),
        0.3,
    ),
    Bot(
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.6367.201 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        ("66.249.66", "66.249.68"),
        0.2,
    ),
    Bot(
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        ("5.255.253", "213.180.203"),
        0.2,
    ),
    Bot(
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        ("40.77.167", "157.55.39"),
        0.1,
    ),
    Bot(
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        ("54.36.148", "5.39.1"),
        0.1,
    ),
    Bot(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/124.0.6367.118 Safari/537.36",
        ("34.116.200", "35.228.14"),
        0.07,
    ),
    Bot(None, ("45.134.26",), 0.03),  # a scraper that sends no User-Agent at all
)

# Where a web session comes from: (referrer, utm query string or None, weight).
WEB_CHANNELS: tuple[tuple[str | None, str | None, float], ...] = (
    (None, None, 0.30),
    ("https://www.google.com/", None, 0.22),
    ("https://yandex.kz/", None, 0.10),
    (
        "https://www.google.com/",
        "utm_source=google&utm_medium=cpc&utm_campaign=almaty_hotels",
        0.05,
    ),
    ("https://yandex.kz/", "utm_source=yandex&utm_medium=cpc&utm_campaign=charyn_tours", 0.03),
    (
        "https://l.instagram.com/",
        "utm_source=instagram&utm_medium=social&utm_campaign=ski_season",
        0.06,
    ),
    ("https://l.instagram.com/", None, 0.03),
    (
        "https://m.facebook.com/",
        "utm_source=facebook&utm_medium=paid_social&utm_campaign=kok_tobe_family",
        0.02,
    ),
    ("https://m.facebook.com/", None, 0.02),
    ("https://vk.com/", None, 0.015),
    ("https://t.me/", "utm_source=telegram&utm_medium=social&utm_campaign=weekend_deals", 0.02),
    ("https://www.tripadvisor.com/", None, 0.03),
    ("https://www.booking.com/", None, 0.01),
    ("https://2gis.kz/almaty", None, 0.015),
    (None, "utm_source=newsletter&utm_medium=email&utm_campaign=summer_lakes", 0.03),
)
# Apps have no referrer; push notifications carry a campaign.
APP_CHANNELS: tuple[tuple[str | None, str | None, float], ...] = (
    (None, None, 0.9),
    (None, "utm_source=push&utm_medium=app&utm_campaign=weekend_deals", 0.1),
)

SITE = "https://visitalmaty.kz/"
# Pages visitors land on or browse besides listings, searches and their kind's section.
GENERAL_PATHS: tuple[str, ...] = ("", "favorites", "account", "blog/almaty-in-winter", "about")
# A few owners' pages for promotion purchases.
PROMOTE_PATH = "account/listings/{listing_id}/promote"

# Promotion packages an owner can buy: (days, price in KZT).
PROMOTION_PACKAGES: tuple[tuple[int, int], ...] = (
    (3, 4_990),
    (7, 9_990),
    (14, 17_990),
    (30, 29_990),
)
# Advert posting periods in days.
ADVERT_POSTING_DAYS: tuple[int, ...] = (30, 60, 90)
# Reported location accuracy of phones, metres.
GEO_ACCURACY_M: tuple[int, ...] = (5, 10, 16, 25, 35, 65, 100, 1414)
