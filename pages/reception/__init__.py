"""Reception: the day and week boards, the review list, the patient register and overview, and the portal invitation."""
