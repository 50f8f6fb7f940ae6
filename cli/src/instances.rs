//! `cloud-elements instances ...`: each subcommand converts its arguments, makes one call of the
//! core, and prints. Enable, disable and ping first read the instance for its token and hub, and
//! config for its element (which says which entries are secret).

use cloud_elements::catalog;
use cloud_elements::{InstanceFilter, InstanceRequest, InstanceUpdate, Secret, Validation};
use serde_json::{Value, json};

use crate::args::{ConfigArgs, ConfigCommand, CreateArgs, Format, Global, Instances, ListArgs, PingArgs, UpdateArgs};
use crate::connect::{configured, connect, connect_or_embedded, read_secret};
use crate::exit::Failure;
use crate::{mask, output, request};

/// Runs one `instances` subcommand.
pub(crate) fn run(command: &Instances, global: &Global) -> Result<(), Failure> {
    let format = output::format(global.output);
    match command {
        Instances::Create(args) => create(args, global, format),
        Instances::List(args) => list(args, global, format),
        Instances::Get(args) => {
            let client = connect(global)?.client;
            let instance = client.get_instance(args.id)?;
            let json = mask::instance(Some(&client), &instance, global.show_token);
            output::one(format, || output::instance_block(&json), &json)
        }
        Instances::Update(args) => update(args, global, format),
        Instances::Delete(args) => {
            connect(global)?.client.delete_instance(args.id)?;
            output::one(
                format,
                || format!("Deleted instance {}.\n", args.id),
                &json!({ "id": args.id, "deleted": true }),
            )
        }
        Instances::Enable(args) => set_enabled(args.id, true, global, format),
        Instances::Disable(args) => set_enabled(args.id, false, global, format),
        Instances::Ping(args) => ping(args, global, format),
        Instances::Config(args) => config(args, global, format),
    }
}

fn create(args: &CreateArgs, global: &Global, format: Format) -> Result<(), Failure> {
    let request = request::from_args(args)?;
    if args.dry_run {
        dry_run(&request, global)?;
        let json = mask::request(&request);
        eprintln!("Dry run: the request is valid; nothing was sent.");
        return output::one(format, || output::pretty(&json), &json);
    }
    let connection = connect_or_embedded(global)?;
    let instance = connection.client.create_instance(&request)?;
    // Returning the token is what a create is for.
    let json = mask::instance(Some(&connection.client), &instance, true);
    output::one(format, || output::instance_block(&json), &json)
}

/// A dry run's checks: the configured server's (`Client::validate_request`, which fetches the
/// definition of an element that is not built in, creating nothing), or, with no server
/// configured, the built-in definitions only (said on standard error).
fn dry_run(request: &InstanceRequest, global: &Global) -> Result<(), Failure> {
    if configured(global) {
        return Ok(connect(global)?.client.validate_request(request)?);
    }
    if global.validation() == Validation::Off {
        catalog::validate_against(request, None)?;
    } else {
        if catalog::builtin(request.element_key()).is_none() {
            eprintln!(
                "No server is configured: `{}` is not built in, so only the checks every request gets were made.",
                request.element_key()
            );
        } else {
            eprintln!("No server is configured: checked offline against the built-in definition.");
        }
        request.validate()?;
    }
    Ok(())
}

fn list(args: &ListArgs, global: &Global, format: Format) -> Result<(), Failure> {
    let mut filter = InstanceFilter::new();
    for tag in &args.tags {
        filter = filter.tag(tag.clone());
    }
    if let Some(text) = &args.search {
        filter = filter.search_text(text.clone());
    }
    let client = connect(global)?.client;
    let instances = client.list_instances(&filter)?;
    let items: Vec<Value> = instances.iter().map(|i| mask::instance(Some(&client), i, global.show_token)).collect();
    let human = || {
        if items.is_empty() {
            return "No instances.\n".to_owned();
        }
        let mut headers = vec!["ID", "NAME", "ELEMENT", "DISABLED", "TAGS"];
        if global.show_token {
            headers.push("TOKEN");
        }
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| {
                let mut row: Vec<String> = ["/id", "/name", "/element/key", "/disabled", "/tags"]
                    .iter()
                    .map(|pointer| output::cell(item.pointer(pointer)))
                    .collect();
                if global.show_token {
                    row.push(output::cell(item.get("token")));
                }
                row
            })
            .collect();
        output::table(&headers, &rows)
    };
    let text = human();
    output::list(format, || text, items)
}

fn update(args: &UpdateArgs, global: &Global, format: Format) -> Result<(), Failure> {
    let mut update = InstanceUpdate::new();
    if let Some(name) = &args.name {
        update = update.name(name.clone());
    }
    if args.clear_tags {
        update = update.tags(Vec::<String>::new());
    } else if !args.tags.is_empty() {
        update = update.tags(args.tags.clone());
    }
    for (key, value) in &args.entries {
        update = update.config(key.clone(), value.clone());
    }
    if let Some(code) = oauth_code(args)? {
        update = update.oauth_code(code.expose());
    }
    let client = connect(global)?.client;
    let instance = client.update_instance(args.id, &update)?;
    let json = mask::instance(Some(&client), &instance, global.show_token);
    output::one(format, || output::instance_block(&json), &json)
}

/// The variable an OAuth code for `instances update` may come from.
const ENV_OAUTH_CODE: &str = "CLOUD_ELEMENTS_OAUTH_CODE";

/// The OAuth code of `instances update`: from `--oauth-code-file`, else from [`ENV_OAUTH_CODE`]
/// when set; none otherwise.
fn oauth_code(args: &UpdateArgs) -> Result<Option<Secret>, Failure> {
    match &args.oauth_code_file {
        Some(path) => read_secret(path, "OAuth code").map(Some).map_err(Failure::input),
        None => match std::env::var(ENV_OAUTH_CODE) {
            Ok(value) if !value.trim().is_empty() => Ok(Some(Secret::new(value.trim()))),
            _ => Ok(None),
        },
    }
}

/// Enable and disable take the instance's token: read from the instance first.
fn set_enabled(id: i64, enabled: bool, global: &Global, format: Format) -> Result<(), Failure> {
    let client = connect(global)?.client;
    let token = client.get_instance(id)?.token;
    if enabled {
        client.enable_instance(token.expose())?;
    } else {
        client.disable_instance(token.expose())?;
    }
    let verb = if enabled { "Enabled" } else { "Disabled" };
    output::one(format, || format!("{verb} instance {id}.\n"), &json!({ "id": id, "disabled": !enabled }))
}

/// Ping takes the instance's token and hub: read from the instance first.
fn ping(args: &PingArgs, global: &Global, format: Format) -> Result<(), Failure> {
    let client = connect(global)?.client;
    let instance = client.get_instance(args.id)?;
    let hub = match (&args.hub, &instance.element.hub) {
        (Some(hub), _) | (None, Some(hub)) => hub.clone(),
        (None, None) => return Err(Failure::input("the instance's element names no hub: pass --hub HUB")),
    };
    let answer = client.ping(instance.token.expose(), &hub)?;
    let json = json!({ "id": args.id, "hub": hub, "answer": answer });
    output::one(format, || format!("Instance {} answers on hub {hub}: {answer}\n", args.id), &json)
}

/// The entries are masked by the element's definition (a Close.io `username` is its API key,
/// which the server shows): the instance is read first for its element.
fn config(args: &ConfigArgs, global: &Global, format: Format) -> Result<(), Failure> {
    let client = connect(global)?.client;
    let element_of = |id| client.get_instance(id).map(|instance| instance.element.key.unwrap_or_default());
    match (&args.set, args.id) {
        (Some(ConfigCommand::Set { id, key, value }), _) => {
            let element = element_of(*id)?;
            let entry = client.update_instance_configuration(*id, key, value)?;
            let json = mask::entry(Some(&client), &entry, &element);
            let block = || output::block(&[(output::cell(json.get("key")), output::cell(json.get("propertyValue")))]);
            output::one(format, block, &json)
        }
        (None, Some(id)) => {
            let element = element_of(id)?;
            let entries = client.instance_configuration(id)?;
            let items: Vec<Value> = entries.iter().map(|entry| mask::entry(Some(&client), entry, &element)).collect();
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|item| ["id", "key", "propertyValue"].iter().map(|field| output::cell(item.get(*field))).collect())
                .collect();
            let text = output::table(&["ID", "KEY", "VALUE"], &rows);
            output::list(format, || text, items)
        }
        // clap requires the id when there is no `set`.
        (None, None) => Err(Failure::input("no instance id given")),
    }
}
