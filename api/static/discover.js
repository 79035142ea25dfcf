export async function discoverPage(root) { root.textContent = "d"; }
