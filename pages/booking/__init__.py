"""Booking: a session or a course series, free slots, and one appointment with its status actions,
cancellation and move."""
