"""The Teams app manifest: template, icons and the package build command."""
