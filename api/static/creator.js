export async function creatorPage(root, key) { root.textContent = key; }
