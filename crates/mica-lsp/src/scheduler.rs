//! The one scheduler: a job (a document's analysis, or the workspace reload) runs on its own
//! task, one at a time per job; a request for a job that is running marks it to run once more
//! when it ends, so a burst of changes costs at most one more run, on the latest state.

use crate::convert;
use crate::server::Inner;
use crate::state::{DocId, State};
use std::sync::Arc;
use std::time::Duration;

/// How long the workspace reload waits, so that a burst of file events is one reload.
const WORLD_DELAY: Duration = Duration::from_millis(20);

/// Whether a job runs and whether it is wanted again: the running/dirty coalescer.
#[derive(Default, Debug)]
pub(crate) struct Coalescer {
    running: bool,
    dirty: bool,
}

impl Coalescer {
    /// Ask for a run; true when the caller must start it (nothing runs yet).
    pub fn request(&mut self) -> bool {
        if self.running {
            self.dirty = true;
            false
        } else {
            self.running = true;
            self.dirty = false;
            true
        }
    }

    /// A run starts: requests from now on want another one.
    pub fn begin(&mut self) {
        self.dirty = false;
    }

    /// A run ended; true when another is wanted, else the job stops.
    pub fn finish(&mut self) -> bool {
        if self.dirty {
            true
        } else {
            self.running = false;
            false
        }
    }
}

/// What runs.
#[derive(Clone, Debug)]
pub(crate) enum Job {
    /// Analyse a document and publish its diagnostics.
    Doc(DocId),
    /// Re-read the workspaces and re-check everything.
    World,
}

impl Job {
    fn slot<'a>(&self, st: &'a mut State) -> Option<&'a mut Coalescer> {
        match self {
            Job::Doc(id) => st.docs.get_mut(id).map(|d| &mut d.worker),
            Job::World => Some(&mut st.world),
        }
    }

    fn delay(&self, st: &State) -> Duration {
        match self {
            Job::Doc(_) => st.delay,
            Job::World => WORLD_DELAY,
        }
    }
}

impl Inner {
    /// Run `job` soon; requests meanwhile are coalesced.
    pub(crate) fn schedule(self: &Arc<Self>, job: Job) {
        {
            let mut st = self.lock();
            if !job.slot(&mut st).is_some_and(Coalescer::request) {
                return;
            }
        }
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                let delay = job.delay(&this.lock());
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                if let Some(c) = job.slot(&mut this.lock()) {
                    c.begin();
                }
                match &job {
                    Job::Doc(id) => this.check_and_publish(id).await,
                    Job::World => this.reload().await,
                }
                if !job.slot(&mut this.lock()).is_some_and(Coalescer::finish) {
                    return;
                }
            }
        });
    }

    /// React to a change of the open buffer `id`: a document is re-analysed; a source being
    /// edited or `mica.toml` may change every document, so the world is; any other file
    /// changes nothing.
    pub(crate) fn schedule_changed(self: &Arc<Self>, id: &DocId) {
        let job = {
            let st = self.lock();
            if st.is_mica(id) {
                Some(Job::Doc(id.clone()))
            } else {
                let path = convert::normalize(&st.ws_of(id).paths.path(&id.path));
                (id.inside() && st.affects_analyses(&path)).then_some(Job::World)
            }
        };
        if let Some(job) = job {
            self.schedule(job);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_one_more_run() {
        let mut c = Coalescer::default();
        assert!(c.request());
        c.begin();
        assert!(!c.request());
        assert!(!c.request());
        assert!(c.finish());
        c.begin();
        assert!(!c.finish());
        assert!(c.request());
    }
}
