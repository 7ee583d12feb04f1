"""The desk's domain services: each owns one domain's decisions; `desk.service.Desk` hands them out."""
