"""What Airflow needs from the hub: the channel files' plans at parse time (``plan``, light),
alerts (``alerts``) and the calls its tasks make at run time (``tasks``, heavy)."""
