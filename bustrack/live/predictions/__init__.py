"""Arrival predictions: when each bus will reach each stop still ahead of it.

Pure: no I/O and no clock; every time is a parameter, in Unix seconds. The
:class:`Predictor` knows the schedule (a :class:`~bustrack.gtfs.model.Feed`) and
what buses report, one tick after another (:class:`Observation`: run, distance
along the trip, next stop, time stamp: what an AVL unit sends). It never sees how
the simulator really moves them; it does not even import the simulator.

How a prediction is made:

1. **Events.** Between two reports of a bus, the stops it reached and left get
   arrival and departure times, by sharing out the elapsed time in proportion to
   the expected running and dwell times (at 1-s reports this is exact to a second).
2. **History of running times** (TheTransitClock's idea). Each completed
   stop-to-stop segment gives a *log pace*, ``log(actual / scheduled running
   time)``. It updates three Kalman filters at once: the whole network, the area
   (a grid cell of about 1 km around the segment) and the segment itself, each an
   Ornstein-Uhlenbeck level that drifts back to its parent's when nobody has run
   there for a while (the segment's to the area's, the area's to the network's,
   the network's to the timetable's). The gain blends the last vehicle with
   what was known before, weighted by their variances. A bus's own pace so far on
   its trip (shrunk towards 0) is added to its own predictions.
3. **History of dwell times**: the same for the boarding time at each stop (the
   network's level starts at the feed's typical scheduled dwell, at most 30 s).
   A dwell that may include waiting for the scheduled departure is not learnt.
4. **Carry the deviation forward** (OneBusAway's rule), through the expected
   running times: from where the bus is, each stop's arrival is the previous
   departure plus the segment's expected running time; the departure is the
   arrival plus the expected boarding time, but never before the scheduled
   departure (a bus does not leave early). So a late bus stays late, except where
   the timetable's slack (scheduled dwell beyond the boarding time) absorbs it.
5. **Uncertainty**: what the filters do not know (correlated along the trip,
   so it adds up linearly) plus each segment's own noise (adds in quadrature);
   slack absorbs spread as it absorbs delay. Then it is calibrated: every
   ``calibrate_every_s`` each bus keeps a few of its predictions (1 to 40 min
   ahead), scores them when it reaches the stop, and the spread of each horizon
   band is scaled so that it matches the errors actually made there.

A stop's board (:meth:`Predictor.arrivals_at`) merges these live predictions with
the runs not yet under way, at their scheduled time, marked not live.

The concerns, one module each (the package's names come from here):

- :mod:`~bustrack.live.predictions.model`: what goes in and out (:class:`Observation`,
  :class:`Eta`, :class:`Arrival`) and the tuning (:class:`PredictorConfig`);
- :mod:`~bustrack.live.predictions.trips`: the schedule indexed by trip, segment, area
  cell and stop, and each bus's state;
- :mod:`~bustrack.live.predictions.levels` and :mod:`~bustrack.live.predictions.history`:
  learning the running and dwell times (2, 3);
- :mod:`~bustrack.live.predictions.forecast`: carrying the deviation forward (4, 5);
- :mod:`~bustrack.live.predictions.calibration`: calibrating the spread (5);
- :mod:`~bustrack.live.predictions.schedule`: the runs not yet under way;
- :mod:`~bustrack.live.predictions.predictor`: the :class:`Predictor`, the events
  between two reports (1) and the questions it answers.
"""

from __future__ import annotations

from bustrack.live.predictions.model import Arrival, Eta, Observation, PredictorConfig
from bustrack.live.predictions.predictor import Predictor

__all__ = [
    "Arrival",
    "Eta",
    "Observation",
    "Predictor",
    "PredictorConfig",
]
