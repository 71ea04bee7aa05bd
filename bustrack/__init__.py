"""bustrack: live bus tracking from GTFS timetables, streamed to a Leaflet map.

Pure logic (``gtfs``, ``simulation``, ``clock``, ``protocol``, ``fleet``) does no
I/O and reads no clock; ``web`` and ``hub`` are the aiohttp shell around it.
"""

__version__ = "0.1.0"
