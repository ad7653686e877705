//! One search's running count. The first read goes back to the overnight start (a few pages per
//! round, resumed the next round); after that each round reads only what arrived since the last,
//! with a two-minute overlap for events CloudWatch ingests late, de-duplicated by event id. Counts
//! per minute are kept, so the 15-minute, hour and overnight figures and the sparkline come from
//! memory, not from more calls.

use super::clean;
use crate::config::SearchSettings;
use app::domain::logs::{LogLine, SearchCounts, SearchLines};
use app::ports::logs::LogQuery;
use app::ports::{LogEvents, PortError};
use std::collections::{BTreeMap, HashMap};

/// Events this close to the end of the last read may still arrive: read them again.
const OVERLAP_MS: i64 = 120_000;
/// Pages one search reads per round at most; a longer back-fill continues next round.
pub const PAGES_PER_ROUND: usize = 5;
/// FilterLogEvents' largest page.
const PAGE: u32 = 10_000;
/// Newest matching lines kept per search.
pub const NEWEST: usize = 20;
const MINUTE_MS: i64 = 60_000;

pub struct Counter {
    pub settings: SearchSettings,
    /// Matches per minute (minutes since the epoch).
    minutes: BTreeMap<i64, u32>,
    /// Ids of events near the end of the last read, to count each once.
    recent: HashMap<String, i64>,
    /// Everything before this has been read.
    read_to: Option<i64>,
    /// A back-fill in progress: the page token and its window.
    resume: Option<(String, i64, i64)>,
    /// Newest first.
    newest: Vec<LogLine>,
}

impl Counter {
    pub fn new(settings: SearchSettings) -> Self {
        Self {
            settings,
            minutes: BTreeMap::new(),
            recent: HashMap::new(),
            read_to: None,
            resume: None,
            newest: Vec::new(),
        }
    }

    /// Read what is new in `group`, counting from `since_ms` (the overnight start) to `now_ms`.
    pub async fn round(
        &mut self,
        source: &dyn LogEvents,
        group: &str,
        since_ms: i64,
        now_ms: i64,
    ) -> Result<(), PortError> {
        // The overnight start moved on (a new day): forget what is before it.
        self.minutes = self.minutes.split_off(&(since_ms / MINUTE_MS));
        self.newest.retain(|l| l.at.timestamp_millis() >= since_ms);
        if self.read_to.is_some_and(|r| r < since_ms) {
            self.read_to = None;
            self.resume = None;
        }
        let (mut next, start, end) = match self.resume.take() {
            Some((token, s, e)) => (Some(token), s, e),
            None => {
                let start = self
                    .read_to
                    .map_or(since_ms, |r| (r - OVERLAP_MS).max(since_ms));
                (None, start, now_ms)
            }
        };
        for _ in 0..PAGES_PER_ROUND {
            let page = source
                .filter(&LogQuery {
                    group: group.to_owned(),
                    pattern: Some(self.settings.pattern.clone()),
                    start_ms: start,
                    end_ms: end,
                    next: next.clone(),
                    limit: PAGE,
                })
                .await;
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    // Resume where this failed: nothing read is counted twice or lost.
                    if let Some(token) = next {
                        self.resume = Some((token, start, end));
                    }
                    return Err(e);
                }
            };
            for e in page.events {
                if e.at_ms < since_ms || self.recent.contains_key(&e.id) {
                    continue;
                }
                if e.at_ms >= end - OVERLAP_MS {
                    self.recent.insert(e.id.clone(), e.at_ms);
                }
                *self
                    .minutes
                    .entry(e.at_ms.div_euclid(MINUTE_MS))
                    .or_default() += 1;
                self.keep_newest(clean::line(e.id, e.at_ms, &e.stream, &e.message));
            }
            match page.next {
                Some(token) => next = Some(token),
                None => {
                    self.read_to = Some(end);
                    self.recent.retain(|_, at| *at >= end - OVERLAP_MS);
                    return Ok(());
                }
            }
        }
        if let Some(token) = next {
            self.resume = Some((token, start, end));
        }
        Ok(())
    }

    fn keep_newest(&mut self, line: LogLine) {
        let at = self.newest.partition_point(|l| l.at > line.at);
        if at < NEWEST {
            self.newest.insert(at, line);
            self.newest.truncate(NEWEST);
        }
    }

    fn sum_since(&self, from_ms: i64) -> u64 {
        self.minutes
            .range(from_ms.div_euclid(MINUTE_MS)..)
            .map(|(_, n)| u64::from(*n))
            .sum()
    }

    pub fn counts(&self, since_ms: i64, now_ms: i64) -> SearchCounts {
        let now_minute = now_ms.div_euclid(MINUTE_MS);
        // Twelve five-minute buckets ending with the current minute.
        let sparkline = (0..12)
            .rev()
            .map(|b| {
                let hi = now_minute - b * 5;
                self.minutes.range(hi - 4..=hi).map(|(_, n)| *n).sum()
            })
            .collect();
        SearchCounts {
            kind: self.settings.kind,
            pattern: self.settings.pattern.clone(),
            last_15m: self.sum_since(now_ms - 14 * MINUTE_MS),
            last_hour: self.sum_since(now_ms - 59 * MINUTE_MS),
            overnight: self.sum_since(since_ms),
            hour_levels: self.settings.hour,
            overnight_levels: self.settings.overnight,
            sparkline,
            complete: self.resume.is_none() && self.read_to.is_some(),
        }
    }

    pub fn lines(&self) -> SearchLines {
        SearchLines {
            kind: self.settings.kind,
            lines: self.newest.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_search;
    use app::domain::logs::SearchKind;
    use app::ports::logs::{LogPage, RawLogEvent};
    use std::sync::Mutex;

    /// A log group answering three events a page (as CloudWatch may: fewer than asked, with a
    /// token), every event matching; the calls are counted.
    struct Group {
        events: Vec<RawLogEvent>,
        calls: Mutex<u32>,
    }

    #[async_trait::async_trait]
    impl LogEvents for Group {
        async fn filter(&self, q: &LogQuery) -> Result<LogPage, PortError> {
            *self.calls.lock().unwrap() += 1;
            let skip: usize = q.next.as_deref().map_or(0, |t| t.parse().unwrap());
            let all: Vec<_> = self
                .events
                .iter()
                .filter(|e| e.at_ms >= q.start_ms && e.at_ms < q.end_ms)
                .cloned()
                .collect();
            let page: Vec<_> = all.iter().skip(skip).take(3).cloned().collect();
            let next = (skip + page.len() < all.len()).then(|| (skip + page.len()).to_string());
            Ok(LogPage { events: page, next })
        }
    }

    fn event(id: u32, at_ms: i64) -> RawLogEvent {
        RawLogEvent {
            id: id.to_string(),
            at_ms,
            stream: "web/1".into(),
            message: format!("ERROR number {id}"),
        }
    }

    #[tokio::test]
    async fn a_long_night_is_read_over_rounds_and_each_event_counted_once() {
        let now = 100 * 3_600_000;
        let since = now - 12 * 3_600_000;
        // Twenty events over the night, the last two inside the overlap of the next read.
        let mut events: Vec<_> = (0..18)
            .map(|i| event(i, since + i64::from(i) * 1_800_000))
            .collect();
        events.push(event(18, now - 30_000));
        events.push(event(19, now - 10_000));
        let group = Group {
            events,
            calls: Mutex::new(0),
        };
        let mut c = Counter::new(default_search(SearchKind::Errors, 2000));

        c.round(&group, "g", since, now).await.unwrap();
        let first = c.counts(since, now);
        assert!(
            !first.complete,
            "five pages of three is not the whole night"
        );
        assert_eq!(first.overnight, 15);
        assert_eq!(*group.calls.lock().unwrap(), PAGES_PER_ROUND as u32);

        c.round(&group, "g", since, now).await.unwrap();
        let done = c.counts(since, now);
        assert!(
            done.complete,
            "the second round resumes where the first stopped"
        );
        assert_eq!(done.overnight, 20);
        assert_eq!(done.last_15m, 2);
        assert_eq!(c.lines().lines[0].id, "19", "newest first");

        // The next round reads only from the overlap: the two late events come back, not recounted.
        let calls = *group.calls.lock().unwrap();
        c.round(&group, "g", since, now + 60_000).await.unwrap();
        assert_eq!(
            *group.calls.lock().unwrap(),
            calls + 1,
            "one page: only what is new"
        );
        assert_eq!(c.counts(since, now + 60_000).overnight, 20);

        // A new day: the overnight start moves past everything counted.
        let tomorrow = now + 24 * 3_600_000;
        c.round(&group, "g", tomorrow - 12 * 3_600_000, tomorrow)
            .await
            .unwrap();
        assert_eq!(c.counts(tomorrow - 12 * 3_600_000, tomorrow).overnight, 0);
        assert!(c.lines().lines.is_empty());
    }
}
