//! The resources that exist from the start: Astakos 0.13's default catalogue and Janua's
//! SMS quota (`janua.sms`, 100 parts a month, Janua's default `sms_quota` of `"100 M"`).

use sea_orm_migration::prelude::*;
use time::OffsetDateTime;

use crate::entity::resource;

/// Registers the default resources.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_default_resources"
    }
}

const GIB: i64 = 1024 * 1024 * 1024;

/// (name, unit, default limit, window, description)
const DEFAULTS: [(&str, &str, i64, Option<&str>, &str); 7] = [
    ("pithos+.diskspace", "bytes", 5 * GIB, None, "Pithos account diskspace"),
    ("cyclades.disk", "bytes", 30 * GIB, None, "Virtual machine disk size"),
    ("cyclades.cpu", "", 6, None, "Number of virtual machine processors"),
    ("cyclades.ram", "bytes", 6 * GIB, None, "Virtual machines"),
    ("cyclades.vm", "", 2, None, "Number of virtual machines"),
    ("cyclades.network.private", "", 1, None, "Private networks"),
    ("janua.sms", "", 100, Some("M"), "SMS parts sent per quota window"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let mut insert = Query::insert()
            .into_table(resource::Entity)
            .columns([
                resource::Column::Name,
                resource::Column::Unit,
                resource::Column::DefaultLimit,
                resource::Column::Window,
                resource::Column::Description,
                resource::Column::CreatedAt,
            ])
            .take();
        for (name, unit, limit, window, description) in DEFAULTS {
            insert
                .values([
                    name.into(),
                    unit.into(),
                    limit.into(),
                    window.map(str::to_owned).into(),
                    description.into(),
                    now.into(),
                ])
                .map_err(|error| DbErr::Custom(error.to_string()))?;
        }
        manager.exec_stmt(insert).await
    }
}
