"""What readers (dashboards, the recommendation service, access requests) open."""
