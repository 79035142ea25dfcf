export async function comparePage(root) { root.textContent = "c"; }
