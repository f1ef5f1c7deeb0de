"""Building blocks of the demo data generator (venues/demo.py, facilities/demo.py): county
polygons and point sampling (geo), word lists and phone area codes (words), generated photos
(photos). Demo only: nothing in the product imports these."""
