"""Reports and audits: the month in figures (PDF, CSV), key stock-take (K4), parcel audit (P5), daily sheet (L3)."""
