"""The Streamlit dashboards for the marketing analysts (`almaty dashboards`)."""

from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
# Each page's script (relative to the app) and the title the navigation shows.
PAGES = {
    "pages/overview.py": "Overview",
    "pages/search.py": "Search",
    "pages/listings.py": "Listings",
    "pages/adverts.py": "Adverts",
    "pages/recommendations.py": "Recommendations",
    "pages/privacy.py": "Privacy and compliance",
}
