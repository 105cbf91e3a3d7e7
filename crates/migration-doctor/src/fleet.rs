//! Fleets: one project over many tenants — every schema (PostgreSQL) or
//! database (MySQL) whose name matches a glob, each with its own version
//! table, or a list of database URLs (docs/contract.md, "Fleets"). A fleet is a
//! list of [`FleetTarget`]s; each becomes a [`Doctor`] session through
//! [`Doctor::for_target`], which shares the project, the options and the
//! expected schemas (computed once per dialect for the whole fleet), so a
//! target costs its catalog queries and its analysis, nothing more.

use futures_util::stream::{self, StreamExt};
use migration_doctor_diagnosis::TablePatterns;
use migration_doctor_live::{Access, connect};
use migration_doctor_schema::Dialect;

use crate::doctor::{
    DatabaseTarget, Doctor, DoctorError, Ensured, Examination, Recovery, RecoveryRequest,
};

/// Schemas read with one set of catalog queries (by index, their relations
/// listed beforehand): enough that round trips do not count, few enough
/// that the examinations of `jobs` batches in flight stay small.
const SCHEMAS_PER_BATCH: usize = 100;

/// Where the members of a fleet come from.
#[derive(Debug, Clone)]
pub enum FleetSource {
    /// Every schema (PostgreSQL) or database (MySQL) of the session's
    /// server whose name matches the glob.
    EachSchema(String),
    /// Database URLs, one per tenant.
    Databases(Vec<String>),
}

/// One member of a fleet.
#[derive(Debug, Clone)]
pub struct FleetTarget {
    /// How reports name it: the schema or database name, or the URL with
    /// its password masked.
    pub name: String,
    pub database: DatabaseTarget,
    /// The PostgreSQL schema of the tenant (its tables and its version
    /// table), for `EachSchema` there.
    pub schema: Option<String>,
}

/// This process's part of a fleet: every `count`-th target from `index`
/// (0-based), so that the pods of a Kubernetes Indexed Job share it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// `I/N`, or `/N` (or `N`) with the index from `JOB_COMPLETION_INDEX`
    /// (what Kubernetes sets in each pod of an Indexed Job).
    pub fn parse(text: &str, completion_index: Option<&str>) -> Result<Shard, String> {
        let usage = || {
            format!(
                "--shard {text}: expected I/N (0 <= I < N), or /N with JOB_COMPLETION_INDEX set"
            )
        };
        let (index, count) = match text.split_once('/') {
            Some((index, count)) => (index.trim(), count.trim()),
            None => ("", text.trim()),
        };
        let count: usize = count.parse().map_err(|_| usage())?;
        let index = if index.is_empty() {
            completion_index
                .ok_or_else(usage)?
                .trim()
                .parse()
                .map_err(|_| usage())?
        } else {
            index.parse().map_err(|_| usage())?
        };
        if count == 0 || index >= count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }

    /// The targets this shard takes, in their order.
    pub fn select<T>(&self, targets: Vec<T>) -> Vec<T> {
        targets
            .into_iter()
            .enumerate()
            .filter(|(at, _)| at % self.count == self.index)
            .map(|(_, target)| target)
            .collect()
    }
}

impl Doctor {
    /// The members of a fleet, by name. `EachSchema` lists the schemas of
    /// the session's database (read-only) and keeps those that match.
    pub async fn fleet(&self, source: &FleetSource) -> Result<Vec<FleetTarget>, DoctorError> {
        let targets = match source {
            FleetSource::Databases(urls) => urls
                .iter()
                .map(|url| {
                    let database = DatabaseTarget::resolve(Some(url), false, None)?;
                    Ok(FleetTarget {
                        name: database.url.redacted(),
                        database,
                        schema: None,
                    })
                })
                .collect::<Result<Vec<_>, DoctorError>>()?,
            FleetSource::EachSchema(pattern) => {
                let patterns = TablePatterns::new(std::slice::from_ref(pattern))
                    .map_err(|error| DoctorError::Fleet(format!("--each-schema: {error}")))?;
                let base = self.target()?;
                if base.url.dialect == Dialect::Sqlite {
                    return Err(DoctorError::Fleet(
                        "--each-schema needs PostgreSQL (schemas) or MySQL/MariaDB (databases); \
                         for SQLite files list them with --databases"
                            .to_owned(),
                    ));
                }
                let mut database = connect(&base.url, Access::ReadOnly, &base.base).await?;
                let names = database.list_schemas().await;
                database.close().await;
                names?
                    .into_iter()
                    .filter(|name| patterns.matches(name))
                    .map(|name| match base.url.dialect {
                        Dialect::Postgresql => FleetTarget {
                            database: base.clone(),
                            schema: Some(name.clone()),
                            name,
                        },
                        _ => {
                            let mut database = base.clone();
                            database.url.database = Some(name.clone());
                            FleetTarget {
                                database,
                                schema: None,
                                name,
                            }
                        }
                    })
                    .collect()
            }
        };
        if targets.is_empty() {
            return Err(DoctorError::Fleet(match source {
                FleetSource::EachSchema(pattern) => format!(
                    "no schema or database matches --each-schema {pattern}; `migration-doctor` lists none to run"
                ),
                FleetSource::Databases(_) => "--databases names no database URL".to_owned(),
            }));
        }
        Ok(targets)
    }
}

impl Doctor {
    /// Diagnoses every target, at most `jobs` at once; `each` learns every
    /// target's examination as it ends (in no set order), so that a fleet's
    /// reports are written as they come and never held all at once. The
    /// schemas of one PostgreSQL database (`EachSchema` there) are listed
    /// with one scan of the catalog and read in batches with one set of
    /// catalog queries each, `jobs` batches at once; other targets are each
    /// read on their own connection.
    pub async fn examine_fleet<'t>(
        &self,
        targets: &'t [FleetTarget],
        jobs: usize,
        mut each: impl FnMut(&'t FleetTarget, Result<Examination, DoctorError>),
    ) {
        let jobs = jobs.max(1);
        let batched = targets.first().is_some_and(|first| {
            first.database.url.dialect == Dialect::Postgresql
                && targets.iter().all(|target| {
                    target.schema.is_some() && target.database.url == first.database.url
                })
        });
        if !batched {
            let mut running = stream::iter(targets)
                .map(|target| async move { (target, self.for_target(target).examine().await) })
                .buffer_unordered(jobs);
            while let Some((target, result)) = running.next().await {
                each(target, result);
            }
            return;
        }
        let relations = self.fleet_relations(targets).await;
        let relations = match relations {
            Ok(relations) => relations,
            Err(message) => {
                for target in targets {
                    each(target, Err(DoctorError::FleetDatabase(message.clone())));
                }
                return;
            }
        };
        let relations = relations.as_ref();
        let mut running = stream::iter(targets.chunks(SCHEMAS_PER_BATCH))
            .map(|batch| async move { (batch, self.examine_schemas(batch, relations).await) })
            .buffer_unordered(jobs);
        while let Some((batch, results)) = running.next().await {
            for (target, result) in batch.iter().zip(results) {
                each(target, result);
            }
        }
    }

    /// The relations of every PostgreSQL schema of `targets` (one database),
    /// in one scan of the catalog.
    async fn fleet_relations(
        &self,
        targets: &[FleetTarget],
    ) -> Result<Option<migration_doctor_live::Relations>, String> {
        let Some(first) = targets.first() else {
            return Ok(None);
        };
        let base = &first.database;
        let mut database = connect(&base.url, Access::ReadOnly, &base.base)
            .await
            .map_err(|error| error.to_string())?;
        let schemas = schema_names(targets);
        let listed = database.relations_of(&schemas).await;
        database.close().await;
        listed.transpose().map_err(|error| error.to_string())
    }

    /// One batch of PostgreSQL schemas of one database, on one connection.
    async fn examine_schemas(
        &self,
        targets: &[FleetTarget],
        relations: Option<&migration_doctor_live::Relations>,
    ) -> Vec<Result<Examination, DoctorError>> {
        let Some(first) = targets.first() else {
            return Vec::new();
        };
        let base = &first.database;
        let mut database = match connect(&base.url, Access::ReadOnly, &base.base).await {
            Ok(database) => database,
            Err(error) => {
                let message = error.to_string();
                return targets
                    .iter()
                    .map(|_| Err(DoctorError::FleetDatabase(message.clone())))
                    .collect();
            }
        };
        let schemas = schema_names(targets);
        let read = database
            .introspect_schemas(&schemas, &self.introspect.version_table, relations)
            .await;
        let mut results = Vec::with_capacity(targets.len());
        match read {
            Some(Ok(lives)) => {
                for (target, live) in targets.iter().zip(lives) {
                    let member = self.for_target(target);
                    results.push(Ok(member.examine_live(&mut database, live).await));
                }
            }
            Some(Err(error)) => {
                let message = error.to_string();
                results.extend(
                    targets
                        .iter()
                        .map(|_| Err(DoctorError::FleetDatabase(message.clone()))),
                );
            }
            None => {
                for target in targets {
                    results.push(self.for_target(target).examine().await);
                }
            }
        }
        database.close().await;
        results
    }
}

/// The PostgreSQL schemas of `targets`, in their order.
fn schema_names(targets: &[FleetTarget]) -> Vec<String> {
    targets
        .iter()
        .map(|target| target.schema.clone().unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_share_out_every_target_once() {
        let targets: Vec<usize> = (0..10).collect();
        let mut seen: Vec<usize> = (0..3)
            .flat_map(|index| Shard { index, count: 3 }.select(targets.clone()))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, targets);
        assert_eq!(Shard::parse("1/4", None), Ok(Shard { index: 1, count: 4 }));
        assert_eq!(
            Shard::parse("/4", Some("3")),
            Ok(Shard { index: 3, count: 4 })
        );
        assert!(Shard::parse("/4", None).is_err());
        assert!(Shard::parse("4/4", None).is_err());
        assert!(Shard::parse("x", None).is_err());
    }
}

/// What a fleet writes on each of its targets.
pub enum FleetWrite<'a> {
    /// `recover`, with the same request for every target.
    Recover(RecoveryRequest<'a>),
    /// `ensure` without migrations to run (a fleet's runner migrates each
    /// tenant afterwards).
    Ensure { complete_partial: bool },
}

/// What one target's write came to.
#[derive(Debug)]
pub enum FleetWritten {
    Recovered(Box<Recovery>),
    Ensured(Box<Ensured>),
}

impl FleetWritten {
    /// Whether it counts as a failure of the rollout: a recovery refused,
    /// or a tracking state that did not end sound.
    pub fn failed(&self) -> bool {
        match self {
            FleetWritten::Recovered(recovery) => recovery.outcome.refusal.is_some(),
            FleetWritten::Ensured(ensured) => !ensured.sound,
        }
    }
}

/// How a fleet's writes are rolled out: waves of `jobs` targets at once; a
/// wave starts only while no more than `max_failures` targets have failed,
/// so that a bad rollout stops early.
#[derive(Debug, Clone, Copy)]
pub struct Waves {
    pub jobs: usize,
    pub max_failures: Option<usize>,
}

impl Doctor {
    /// Writes `write` over `targets` in waves; `each` learns every target's
    /// result as it ends. Returns the targets never started because too
    /// many had failed.
    pub async fn write_fleet<'t>(
        &self,
        targets: &'t [FleetTarget],
        write: &FleetWrite<'_>,
        waves: Waves,
        mut each: impl FnMut(&'t FleetTarget, Result<FleetWritten, DoctorError>),
    ) -> Vec<&'t FleetTarget> {
        let jobs = waves.jobs.max(1);
        let mut failures = 0usize;
        for (at, wave) in targets.chunks(jobs).enumerate() {
            if waves.max_failures.is_some_and(|most| failures > most) {
                return targets[at * jobs..].iter().collect();
            }
            let mut running = stream::iter(wave)
                .map(|target| async move { (target, self.write_one(target, write).await) })
                .buffer_unordered(jobs);
            while let Some((target, result)) = running.next().await {
                if result.as_ref().map_or(true, FleetWritten::failed) {
                    failures += 1;
                }
                each(target, result);
            }
        }
        Vec::new()
    }

    async fn write_one(
        &self,
        target: &FleetTarget,
        write: &FleetWrite<'_>,
    ) -> Result<FleetWritten, DoctorError> {
        let member = self.for_target(target);
        match write {
            FleetWrite::Recover(request) => member
                .recover(request)
                .await
                .map(|recovery| FleetWritten::Recovered(Box::new(recovery))),
            FleetWrite::Ensure { complete_partial } => member
                .ensure(None, None, *complete_partial)
                .await
                .map(|ensured| FleetWritten::Ensured(Box::new(ensured))),
        }
    }
}
