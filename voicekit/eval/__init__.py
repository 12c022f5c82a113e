"""Quality measurement: extraction metrics, ASR error rates, the evaluation runner."""
