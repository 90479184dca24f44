//! SASL mechanisms: work in progress.
