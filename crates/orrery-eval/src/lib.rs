//! Measures Orrery's recommenders: metrics and evaluation protocols.
