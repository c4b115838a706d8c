"""The report: a self-contained HTML page with plots and a border map from an output folder.

``render_report(folder)`` reads what ``dualtrack run`` or ``dualtrack compare`` wrote and adds
``report.html`` (plotly.js inlined, opens offline) and ``figures/*.png``. Each figure is defined
once as a declarative spec (``figure_spec``; the charts in ``figures``, the map in
``border_map`` on the vendored geometry of ``atlas``) and drawn twice: by ``plotly_renderer``
for the page and by ``matplotlib_renderer`` for the PNG. ``regimes`` holds the regime map
(its figure, its section, and the page of a ``dualtrack regimes`` folder).
"""

from dualtrack.report.loading import NotAnOutputFolder, load_output_folder
from dualtrack.report.render import render_report

__all__ = ["NotAnOutputFolder", "load_output_folder", "render_report"]
