"""Calibration reports: what a report holds (:mod:`.model`), the SQL that
picks the scored forecasts (:mod:`.final`), the streaming pass that scores
them (:mod:`.data`), its periods (:mod:`.periods`), the claims it lists
(:mod:`.claims`) and saved reports (:mod:`.save`).  Nothing is imported
here: each command loads only the modules it uses."""
