//! Orrery's HTTP service.
