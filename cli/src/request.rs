//! `instances create`'s arguments as an [`InstanceRequest`]: the element key, `KEY=VALUE`
//! entries, `--name`, `--tag`, and an `instance.json` to start from.

use cloud_elements::InstanceRequest;

use crate::args::{CreateArgs, parse_entry};
use crate::exit::{Failure, USAGE};

/// The request the arguments describe. A `KEY=VALUE` that is not one is a usage error (2); an
/// unreadable or invalid file, or an element that differs from the file's, is invalid input (3).
pub(crate) fn from_args(args: &CreateArgs) -> Result<InstanceRequest, Failure> {
    let mut positional = args.args.iter().peekable();
    // The element key is the first argument when it is not an entry: keys never hold `=`.
    let element = positional.next_if(|arg| !arg.contains('='));
    let mut entries = Vec::new();
    for arg in positional {
        let entry = parse_entry(arg)
            .map_err(|problem| Failure { status: USAGE, message: format!("invalid argument `{arg}`: {problem}") })?;
        entries.push(entry);
    }
    let mut request = match (&args.from_json, element) {
        (Some(path), element) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::input(format!("cannot read {}: {}", path.display(), e.kind())))?;
            let request =
                InstanceRequest::from_json(&text).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
            if let Some(element) = element.filter(|element| *element != request.element_key()) {
                return Err(Failure::input(format!(
                    "the element `{element}` differs from `{}` in {}",
                    request.element_key(),
                    path.display()
                )));
            }
            request
        }
        (None, Some(element)) => InstanceRequest::new(element.clone(), element.clone()),
        (None, None) => {
            return Err(Failure { status: USAGE, message: "no element key given (or --from-json FILE)".to_owned() });
        }
    };
    if let Some(name) = &args.name {
        request.set_name(name.clone());
    }
    for (key, value) in entries {
        request.set_config(key, value);
    }
    for tag in &args.tags {
        request.add_tag(tag.clone());
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(positional: &[&str]) -> CreateArgs {
        CreateArgs {
            args: positional.iter().map(|s| s.to_string()).collect(),
            name: None,
            tags: vec!["t".into()],
            from_json: None,
            dry_run: false,
        }
    }

    #[test]
    fn element_then_entries() {
        let request = from_args(&args(&["closeio", "username=u", "password=a=b"])).unwrap();
        assert_eq!(request.element_key(), "closeio");
        assert_eq!(request.name(), "closeio", "the name defaults to the element key");
        assert_eq!(request.config_value("password"), Some("a=b"));
        assert_eq!(request.tags(), ["t"]);
        assert_eq!(from_args(&args(&["closeio", "oops"])).unwrap_err().status, USAGE);
        assert_eq!(from_args(&args(&["username=u"])).unwrap_err().status, USAGE);
    }
}
