"""Officers' shifts as a subscribable iCalendar (RFC 5545) feed."""
