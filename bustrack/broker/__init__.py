"""Between the sources and the clients: the broker.

A *feeder* runs the sources and the tick; *web* processes serve the clients. With one
process (``--role all``, no ``--redis``) the in-process broker hands each tick's frames
straight to the hub (:mod:`bustrack.broker.hub`: the connected clients and the fan-out
to them), as bustrack always did. With ``--redis`` the feeder publishes each
tick's parts, already encoded and compressed, to Redis, and every web process joins them
into its clients' frames (:mod:`bustrack.broker.redis`); reports that devices send to any
web process reach the feeder through a Redis stream.

:mod:`bustrack.broker.message` and :mod:`bustrack.broker.remote` are pure: the messages'
bytes, and the frames a web process builds from them.
"""
