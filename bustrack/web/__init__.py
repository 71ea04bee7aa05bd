"""The aiohttp shell around bustrack's pure modules: app factory, page, /ws, ticker.

``python -m bustrack.web`` runs the server (see :mod:`bustrack.web.__main__`).
"""

from bustrack.web.app import create_app

__all__ = ["create_app"]
