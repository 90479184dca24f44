//! Allocation counting for benches, so they can report allocations per parsed
//! item next to throughput. Each bench binary installs the instrumented
//! allocator with `#[global_allocator] static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;`.

use stats_alloc::{Region, StatsAlloc};
use std::alloc::System;

/// Allocations (including reallocations) made while running `f`.
pub(crate) fn count<R>(global: &'static StatsAlloc<System>, f: impl FnOnce() -> R) -> (R, u64) {
    let region = Region::new(global);
    let r = f();
    let change = region.change();
    (r, (change.allocations + change.reallocations) as u64)
}
