//! The one threshold model used for probe latency and (later) every CloudWatch metric:
//! a value above `warning` is a warning, above `critical` is critical.

use super::Level;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    warning: f64,
    critical: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThresholdError {
    #[error("warning ({warning}) must be below critical ({critical})")]
    Order { warning: f64, critical: f64 },
    #[error("levels must be finite numbers of zero or more (got warning {warning}, critical {critical})")]
    NotFinite { warning: f64, critical: f64 },
}

impl Thresholds {
    pub fn new(warning: f64, critical: f64) -> Result<Self, ThresholdError> {
        if !warning.is_finite() || !critical.is_finite() || warning < 0.0 || critical < 0.0 {
            return Err(ThresholdError::NotFinite { warning, critical });
        }
        if warning >= critical {
            return Err(ThresholdError::Order { warning, critical });
        }
        Ok(Self { warning, critical })
    }

    pub fn warning(&self) -> f64 {
        self.warning
    }

    pub fn critical(&self) -> f64 {
        self.critical
    }

    /// The runbook says "> 2 seconds (warning)": a value exactly at the level is still fine.
    pub fn evaluate(&self, value: f64) -> Level {
        if value.is_nan() {
            Level::Unknown
        } else if value > self.critical {
            Level::Critical
        } else if value > self.warning {
            Level::Warning
        } else {
            Level::Ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn response_time() -> Thresholds {
        Thresholds::new(2000.0, 5000.0).unwrap()
    }

    #[test]
    fn runbook_response_time_levels() {
        let t = response_time();
        assert_eq!(t.evaluate(150.0), Level::Ok);
        assert_eq!(t.evaluate(2000.0), Level::Ok);
        assert_eq!(t.evaluate(2000.1), Level::Warning);
        assert_eq!(t.evaluate(5000.0), Level::Warning);
        assert_eq!(t.evaluate(5001.0), Level::Critical);
        assert_eq!(t.evaluate(f64::NAN), Level::Unknown);
    }

    #[test]
    fn refuses_inverted_or_odd_levels() {
        assert!(matches!(
            Thresholds::new(5.0, 1.0),
            Err(ThresholdError::Order { .. })
        ));
        assert!(matches!(
            Thresholds::new(1.0, 1.0),
            Err(ThresholdError::Order { .. })
        ));
        assert!(matches!(
            Thresholds::new(-1.0, 1.0),
            Err(ThresholdError::NotFinite { .. })
        ));
        assert!(matches!(
            Thresholds::new(1.0, f64::INFINITY),
            Err(ThresholdError::NotFinite { .. })
        ));
    }

    proptest! {
        #[test]
        fn level_never_improves_as_value_grows(w in 0.0f64..1e6, gap in 0.001f64..1e6, a in 0.0f64..3e6, b in 0.0f64..3e6) {
            let t = Thresholds::new(w, w + gap).unwrap();
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(t.evaluate(lo) <= t.evaluate(hi));
        }
    }
}
