"""What goes over the wire to the page, and how: the /ws protocol and its frames.

:mod:`~bustrack.wire.protocol` (the message format, docs/protocol.md), the
:mod:`~bustrack.wire.channels` clients subscribe to, :mod:`~bustrack.wire.framing` (parts
joined into frames once per tick), :mod:`~bustrack.wire.deflate` (compressed once for every
client) and :mod:`~bustrack.wire.wsframe` (WebSocket frames written to many sockets). Pure:
no I/O, no clock; they know nothing of the live state (:mod:`bustrack.live` builds on them).
"""
